import { type DeclaredRoute, declaredRoutes, publicRoutes } from "@tidegate/http-kit";
import fc from "fast-check";
import type { Hono } from "hono";
import { expect } from "vitest";
import { hostileText, mutated, oddValue } from "./fuzz.js";

/**
 * Random requests for in-process Hono apps: every declared route (and the public ones), with
 * odd path parameters, query strings and bodies. `checkAnswer` holds each answer to the house
 * rule: bad input is a 4xx with a JSON `{ error }` that says what is wrong, never a 5xx.
 */

export interface FuzzRoute {
  method: string;
  path: string;
}

/** Every route of `app` worth fuzzing: the declared ones and the public ones (declaredRoutes leaves those out). */
export function routesOf(app: Hono): FuzzRoute[] {
  return [...declaredRoutes(app), ...publicRoutes(app)].map((r: DeclaredRoute) => ({
    method: r.method,
    path: r.path,
  }));
}

/** Routes that hash a password (scrypt, ~100 ms): fuzzed with fewer runs. */
export const hashesPasswords = (r: FuzzRoute) =>
  (r.method === "POST" && (r.path === "/api/v1/auth/login" || r.path === "/api/v1/users")) ||
  (r.method === "PATCH" && r.path === "/api/v1/users/:name") ||
  (r.method === "PUT" && r.path === "/api/v1/auth/password");

const segment = fc.oneof(
  fc.constantFrom("x", "plant-1", "admin", "..", ".", "%2F", "%00", "%ZZ", "a%20b", "-", "9".repeat(300)),
  hostileText().map((t) => encodeURIComponent(Buffer.from(t.slice(0, 300)).toString()) || "x"),
);

/** Query values a client may send: numbers in odd spellings, ranges upside down, huge and negative. */
const queryValue = fc.oneof(
  hostileText().map((t) => t.slice(0, 2000)),
  fc.integer().map(String),
  fc.constantFrom(
    "0",
    "-1",
    "1e3",
    "1.5",
    "9007199254740992",
    "99999999999999999999",
    "auto",
    "raw",
    "1s",
    "0s",
    "5m",
    "999999999d",
    `${"9".repeat(400)}d`,
    "avg",
    "minmax",
    "median",
  ),
  fc.nat({ max: 2 ** 53 }).map(String),
);

export interface RequestSpec {
  method: string;
  url: string;
  body?: string;
  contentType?: string;
}

/**
 * A request for `route`: its path parameters filled with odd segments, a query built from
 * `keys` (the names the route reads) and random ones, and a body of JSON, near-JSON or text.
 */
export function requestFor(
  route: FuzzRoute,
  o: { keys?: string[]; values?: fc.Arbitrary<string>; bodies?: unknown[] } = {},
): fc.Arbitrary<RequestSpec> {
  const params = (route.path.match(/:[A-Za-z]+/g) ?? []).length;
  const keys = o.keys ?? [];
  const pair = fc.tuple(
    keys.length > 0
      ? fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 6 }))
      : fc.string({ maxLength: 6 }),
    o.values ? fc.oneof(o.values, queryValue) : queryValue,
  );
  const query = fc.oneof(
    fc.array(pair, { maxLength: 7 }).map((ps) => new URLSearchParams(ps).toString()),
    fc.constantFrom("a=%ZZ&&==&b", "from=1&from=2", "series=&series=/", "%", "&&&", "to=-1&from=5"),
  );
  const body = fc.oneof(
    oddValue().map((v) => JSON.stringify(v) ?? ""),
    ...(o.bodies ?? []).map((b) => mutated(b).map((v) => JSON.stringify(v) ?? "")),
    ...(o.bodies ?? []).map((b) => fc.constant(JSON.stringify(b))),
    hostileText(),
    fc.constantFrom("", "{", "null", "[]", '{"a":', "\u0000", '{"__proto__":{"x":1}}'),
  );
  return fc
    .record({
      segments: fc.array(segment, { minLength: params, maxLength: params }),
      query,
      body,
      contentType: fc.constantFrom(
        "application/json",
        "text/plain",
        "application/x-www-form-urlencoded",
        undefined,
      ),
    })
    .map(({ segments, query: q, body: b, contentType }) => {
      let i = 0;
      const path = route.path.replace(/:[A-Za-z]+/g, () => segments[i++] as string);
      const read = route.method === "GET" || route.method === "HEAD";
      return {
        method: route.method,
        url: `http://fuzz.test${path}${q ? `?${q}` : ""}`,
        ...(read ? {} : { body: b }),
        ...(contentType ? { contentType } : {}),
      };
    });
}

/**
 * Sends the request; the answer must be below 500, and an error must be JSON `{ error }`,
 * non-empty for a 400. Streams (server-sent events) are cancelled once their status is known.
 */
export async function checkAnswer(app: Hono, spec: RequestSpec, headers: Record<string, string>) {
  const res = await app.request(spec.url, {
    method: spec.method,
    headers: { ...headers, ...(spec.contentType ? { "content-type": spec.contentType } : {}) },
    ...(spec.body !== undefined ? { body: spec.body } : {}),
  });
  const type = res.headers.get("content-type") ?? "";
  if (type.startsWith("text/event-stream")) {
    await res.body?.cancel();
    expect(res.status).toBe(200);
    return { status: res.status, body: undefined };
  }
  const text = await res.text();
  expect(res.status, `${spec.method} ${spec.url} answered ${res.status}: ${text.slice(0, 300)}`).toBeLessThan(
    500,
  );
  let body: unknown = text;
  if (type.includes("application/json")) body = JSON.parse(text);
  if (res.status >= 400) {
    expect(type, `${spec.method} ${spec.url}: an error must be JSON`).toContain("application/json");
    const error = (body as { error?: unknown }).error;
    expect(typeof error, `${spec.method} ${spec.url}: ${text.slice(0, 200)}`).toBe("string");
    if (res.status === 400) expect((error as string).trim().length).toBeGreaterThan(0);
  }
  return { status: res.status, body };
}

export interface FuzzRoutesOptions<S> {
  /** Credentials sent with every request (an admin's, to get past the guards to the handlers). */
  headers: Record<string, string>;
  numRuns: number;
  /** Query names the routes read, tried more often than random ones. */
  keys?: string[];
  values?: fc.Arbitrary<string>;
  /** Valid bodies, sent as they are and mutated. */
  bodies?: unknown[];
  /** What the app has stored, taken before each request and handed to `check`. */
  snapshot: () => S;
  /** Further checks of one answer, e.g. that nothing was stored. */
  check: (spec: RequestSpec, answer: Awaited<ReturnType<typeof checkAnswer>>, before: S) => void;
}

/** Random requests to `routes`, each answered below 500 with a JSON error, then `check`ed. */
export function fuzzRoutes<S>(app: Hono, routes: FuzzRoute[], o: FuzzRoutesOptions<S>) {
  const request = fc.constantFrom(...routes).chain((route) => requestFor(route, o));
  return fc.assert(
    fc.asyncProperty(request, async (spec) => {
      const before = o.snapshot();
      o.check(spec, await checkAnswer(app, spec, o.headers), before);
    }),
    { numRuns: o.numRuns },
  );
}
