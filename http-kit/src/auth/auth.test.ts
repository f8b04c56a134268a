import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CSRF_HEADER,
  declaredRoutes,
  PUBLIC_PATHS,
  provisionFromEnv,
  publicRoutes,
  sessionKeyFromEnv,
  useAuth,
} from "./index.js";
import { hashPassword } from "./password.js";
import { type AuthStore, openAuthStore } from "./store.js";

let dir: string;
let store: AuthStore;
let clock: number;

function app(options: { anonymousRole?: "viewer" } = {}) {
  const a = new Hono();
  const auth = useAuth(a, { store, now: () => clock, ...options });
  a.get("/api/v1/things", auth.need("viewer"), (c) => c.json({ things: [1] }));
  a.post("/api/v1/things", auth.need("operator"), (c) => c.json({ ok: true }));
  a.get("/metrics", auth.need("viewer"), (c) => c.text("up 1"));
  a.get("/healthz", (c) => c.json({ status: "ok" }));
  return a;
}

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

async function login(a: Hono, user: string, password: string) {
  const res = await a.request("/api/v1/auth/login", json({ user, password }));
  const cookies = res.headers.getSetCookie();
  const cookie = cookies.map((c) => c.split(";")[0]).join("; ");
  return { res, cookie, body: (await res.json()) as { csrf?: string; role?: string; error?: string } };
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-auth-"));
  store = openAuthStore(join(dir, "auth.db"));
  clock = Date.now();
  store.addUser("ada", "admin", await hashPassword("correct horse"));
  store.addUser("otto", "operator", await hashPassword("operator pw"));
  store.addUser("vera", "viewer", await hashPassword("viewer pw!"));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("sessions", () => {
  it("refuses anonymous API and metrics calls, and lets health checks and the login page through", async () => {
    const a = app();
    expect((await a.request("/api/v1/things")).status).toBe(401);
    expect((await a.request("/metrics")).status).toBe(401);
    expect((await a.request("/api/v1/elsewhere")).status).toBe(401);
    expect((await a.request("/healthz")).status).toBe(200);
    const me = await a.request("/api/v1/auth/me");
    expect(me.status).toBe(401);
    expect(await me.json()).toMatchObject({ users: true });
  });

  it("one list of public paths: the middleware lets anonymous callers reach them, the route checks leave them out", async () => {
    const a = app();
    a.get("/api/v1/info", (c) => c.json({ role: "test" }));
    a.get("/readyz", (c) => c.json({ ready: true }));
    const routes = publicRoutes(a).map((r) => `${r.method} ${r.path}`);
    expect(routes.sort()).toEqual([
      "GET /api/v1/auth/config",
      "GET /api/v1/auth/me",
      "GET /api/v1/info",
      "GET /healthz",
      "GET /readyz",
      "POST /api/v1/auth/login",
      "POST /api/v1/auth/logout",
    ]);
    for (const r of publicRoutes(a)) {
      const res = await a.request(r.path, r.method === "POST" ? json({}) : {});
      const body = (await res.json()) as { error?: string };
      expect(body.error ?? "", r.path).not.toMatch(/^login required/);
    }
    expect(declaredRoutes(a).filter((r) => PUBLIC_PATHS.has(r.path))).toEqual([]);
  });

  it("signs in with an HttpOnly, SameSite session cookie and knows who is asking", async () => {
    const a = app();
    const { res, cookie, body } = await login(a, "vera", "viewer pw!");
    expect(res.status).toBe(200);
    const session = res.headers.getSetCookie().find((c) => c.startsWith("tidegate_session="));
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Strict/);
    expect(body.role).toBe("viewer");
    const me = await a.request("/api/v1/auth/me", { headers: { cookie } });
    expect(await me.json()).toMatchObject({ name: "vera", role: "viewer", via: "session" });
    expect((await a.request("/api/v1/things", { headers: { cookie } })).status).toBe(200);
  });

  it("refuses a wrong password the same way as an unknown user", async () => {
    const a = app();
    const wrong = await login(a, "vera", "nope nope");
    const unknown = await login(a, "nobody", "nope nope");
    expect([wrong.res.status, unknown.res.status]).toEqual([401, 401]);
    expect(wrong.body).toEqual(unknown.body);
  });

  it("a role below the route's is refused with 403 and says which role is needed", async () => {
    const a = app();
    const { cookie, body } = await login(a, "vera", "viewer pw!");
    const res = await a.request("/api/v1/things", json({}, { cookie, [CSRF_HEADER]: body.csrf as string }));
    expect(res.status).toBe(403);
    expect((await res.json()) as { error: string }).toEqual({
      error: "operator role required; vera is viewer",
    });
  });

  it("cookie-authenticated writes need the session's CSRF token", async () => {
    const a = app();
    const { cookie, body } = await login(a, "otto", "operator pw");
    expect((await a.request("/api/v1/things", json({}, { cookie }))).status).toBe(403);
    expect((await a.request("/api/v1/things", json({}, { cookie, [CSRF_HEADER]: "guess" }))).status).toBe(
      403,
    );
    const ok = await a.request("/api/v1/things", json({}, { cookie, [CSRF_HEADER]: body.csrf as string }));
    expect(ok.status).toBe(200);
  });

  it("a password change ends the user's other sessions; expired sessions are refused", async () => {
    const a = app();
    const first = await login(a, "vera", "viewer pw!");
    const second = await login(a, "vera", "viewer pw!");
    const change = await a.request("/api/v1/auth/password", {
      ...json(
        { current: "viewer pw!", next: "a new password" },
        { cookie: first.cookie, [CSRF_HEADER]: first.body.csrf as string },
      ),
      method: "PUT",
    });
    expect(change.status).toBe(200);
    expect((await a.request("/api/v1/things", { headers: { cookie: second.cookie } })).status).toBe(401);
    const fresh = await login(a, "vera", "a new password");
    expect((await a.request("/api/v1/things", { headers: { cookie: fresh.cookie } })).status).toBe(200);
    // hono/jwt checks exp against the real clock: a session signed 13 h ago has expired.
    clock = Date.now() - 13 * 3600_000;
    const old = await login(a, "vera", "a new password");
    expect((await a.request("/api/v1/things", { headers: { cookie: old.cookie } })).status).toBe(401);
  });

  it("slows down guessing: the sixth failure in 15 minutes answers 429 with Retry-After", async () => {
    const a = app();
    for (let i = 0; i < 5; i++) expect((await login(a, "ada", `guess ${i}!!`)).res.status).toBe(401);
    const blocked = await login(a, "ada", "correct horse");
    expect(blocked.res.status).toBe(429);
    expect(Number(blocked.res.headers.get("retry-after"))).toBeGreaterThan(0);
    clock += 15 * 60_000 + 1;
    expect((await login(a, "ada", "correct horse")).res.status).toBe(200);
  });

  it("answers bad login bodies with 400", async () => {
    const a = app();
    const res = await a.request("/api/v1/auth/login", { method: "POST", body: "{not json" });
    expect(res.status).toBe(400);
    expect((await a.request("/api/v1/auth/login", json({ user: "" }))).status).toBe(400);
  });

  it("read-only anonymous access when configured for trusted panels", async () => {
    const a = app({ anonymousRole: "viewer" });
    expect((await a.request("/api/v1/things")).status).toBe(200);
    expect((await a.request("/api/v1/things", json({}))).status).toBe(403);
    expect((await a.request("/api/v1/users")).status).toBe(403);
  });
});

describe("API tokens", () => {
  async function adminCookie(a: Hono) {
    const { cookie, body } = await login(a, "ada", "correct horse");
    return { cookie, [CSRF_HEADER]: body.csrf as string };
  }

  it("are created by admins, shown once, scoped to a role, and stop working when revoked", async () => {
    const a = app();
    const admin = await adminCookie(a);
    const res = await a.request("/api/v1/tokens", json({ name: "grafana", role: "viewer" }, admin));
    expect(res.status).toBe(201);
    const { id, token } = (await res.json()) as { id: string; token: string };
    const bearer = { authorization: `Bearer ${token}` };
    expect((await a.request("/api/v1/things", { headers: bearer })).status).toBe(200);
    expect((await a.request("/api/v1/things", json({}, bearer))).status).toBe(403);
    const list = (await (await a.request("/api/v1/tokens", { headers: admin })).json()) as {
      tokens: object[];
    };
    expect(JSON.stringify(list)).not.toContain(token);
    expect((await a.request(`/api/v1/tokens/${id}`, { method: "DELETE", headers: admin })).status).toBe(200);
    const after = await a.request("/api/v1/things", { headers: bearer });
    expect(after.status).toBe(401);
    expect(await after.json()).toEqual({
      error: "invalid, expired or revoked API token (Authorization: Bearer <token>)",
    });
  });

  it("are stored as hashes only", async () => {
    store.addToken("tg_secret-token-value-123", { name: "x", role: "viewer" });
    store.close();
    const raw = (await import("node:fs")).readFileSync(join(dir, "auth.db"));
    expect(raw.includes("tg_secret-token-value-123")).toBe(false);
    store = openAuthStore(join(dir, "auth.db"));
  });
});

describe("users and audit", () => {
  it("admins add users; the last admin cannot be removed or demoted; everything is audited", async () => {
    const a = app();
    const { cookie, body } = await login(a, "ada", "correct horse");
    const admin = { cookie, [CSRF_HEADER]: body.csrf as string };
    expect(
      (await a.request("/api/v1/users", json({ name: "new", role: "operator", password: "short" }, admin)))
        .status,
    ).toBe(400);
    expect(
      (
        await a.request(
          "/api/v1/users",
          json({ name: "new", role: "operator", password: "long enough" }, admin),
        )
      ).status,
    ).toBe(201);
    expect(
      (
        await a.request(
          "/api/v1/users",
          json({ name: "new", role: "operator", password: "long enough" }, admin),
        )
      ).status,
    ).toBe(409);
    expect((await a.request("/api/v1/users/ada", { method: "DELETE", headers: admin })).status).toBe(409);
    const demote = await a.request("/api/v1/users/ada", {
      ...json({ role: "viewer" }, admin),
      method: "PATCH",
    });
    expect(demote.status).toBe(409);
    await login(a, "otto", "wrong pw!!");
    const audit = (await (await a.request("/api/v1/audit", { headers: admin })).json()) as {
      entries: { actor: string; action: string; ok: boolean; target: string | null }[];
    };
    const seen = audit.entries.map((e) => `${e.actor} ${e.action} ${e.target ?? ""} ${e.ok}`);
    expect(seen).toContain("otto login  false");
    expect(seen).toContain("ada user.add new true");
    expect(seen).toContain("ada login  true");
    const filtered = await a.request("/api/v1/audit?action=login&limit=1", { headers: admin });
    expect(((await filtered.json()) as { entries: unknown[] }).entries).toHaveLength(1);
    expect((await a.request("/api/v1/audit?limit=abc", { headers: admin })).status).toBe(400);
  });
});

describe("provisioning from the environment", () => {
  it("creates the first admin only while there are no users, and accepts a token from a file", async () => {
    store.close();
    rmSync(join(dir, "auth.db"));
    store = openAuthStore(join(dir, "auth.db"));
    const tokenFile = join(dir, "token");
    writeFileSync(tokenFile, "tg_provisioned-token-0123456789\n");
    const env = {
      TIDEGATE_ADMIN_USER: "boss",
      TIDEGATE_ADMIN_PASSWORD: "boss password",
      TIDEGATE_API_TOKEN_FILE: tokenFile,
    };
    expect(await provisionFromEnv(store, env)).toHaveLength(2);
    expect(store.getUser("boss")?.role).toBe("admin");
    expect(await provisionFromEnv(store, { ...env, TIDEGATE_ADMIN_PASSWORD: "another password" })).toEqual(
      [],
    );
    const a = app();
    expect((await login(a, "boss", "boss password")).res.status).toBe(200);
    const headers = { authorization: "Bearer tg_provisioned-token-0123456789" };
    expect((await a.request("/api/v1/users", { headers })).status).toBe(200);
    await expect(provisionFromEnv(store, { TIDEGATE_ADMIN_USER: "x" })).rejects.toThrow(
      /TIDEGATE_ADMIN_PASSWORD/,
    );
    await expect(provisionFromEnv(store, { TIDEGATE_API_TOKEN_FILE: join(dir, "missing") })).rejects.toThrow(
      /cannot read/,
    );
  });
});

describe("replicas", () => {
  it("with a shared session key, a session signed by one collector is accepted by another", async () => {
    const key = "k".repeat(40);
    const other = openAuthStore(join(dir, "other.db"), { sessionKey: key });
    const mine = openAuthStore(join(dir, "mine.db"), { sessionKey: key });
    try {
      for (const s of [other, mine]) s.addUser("boss", "admin", await hashPassword("boss password"));
      const a = new Hono();
      useAuth(a, { store: mine }).need("viewer");
      const b = new Hono();
      const authB = useAuth(b, { store: other });
      b.get("/api/v1/things", authB.need("viewer"), (c) => c.json({ ok: true }));
      const { cookie } = await login(a, "boss", "boss password");
      expect((await b.request("/api/v1/things", { headers: { cookie } })).status).toBe(200);
      expect(sessionKeyFromEnv({ TIDEGATE_SESSION_KEY: key })).toBe(key);
      expect(() => sessionKeyFromEnv({ TIDEGATE_SESSION_KEY: "short" })).toThrow(/at least 32/);
    } finally {
      other.close();
      mine.close();
    }
  });
});
