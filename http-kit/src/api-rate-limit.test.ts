import { describe, expect, it } from "vitest";
import { DEFAULT_API_RATE_LIMITS } from "./api-rate-limit.js";
import { testAuthStore } from "./auth/testing.js";
import { createServiceApp } from "./service-app.js";

function service(rateLimit: Parameters<typeof createServiceApp>[0]["rateLimit"]) {
  const auth = testAuthStore();
  const {
    app,
    auth: guard,
    finish,
  } = createServiceApp({
    info: () => ({ role: "test" }),
    auth: { store: auth.store },
    readiness: () => ({ reasons: [] }),
    rateLimit,
  });
  app.get("/api/v1/thing", guard.need("viewer"), (c) => c.json({ thing: 1 }));
  return { app: finish({ metrics: [] }), headers: auth.headers };
}

/** A request as @hono/node-server hands it over: the socket's address in the env. */
const from = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });

describe("API rate limits", () => {
  it("answer 429 with Retry-After and a message once a token is over its limit, and only that token", async () => {
    const { app, headers } = service({ perPrincipal: 3, perAddress: 0, windowS: 60 });
    const ask = (h: { authorization: string }) =>
      app.request("/api/v1/thing", { headers: h }, from("10.0.0.5"));
    for (let i = 0; i < 3; i++) expect((await ask(headers.viewer)).status).toBe(200);
    const over = await ask(headers.viewer);
    expect(over.status).toBe(429);
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await over.json()) as { error: string }).error).toMatch(
      /too many requests from token:test viewer: at most 3 per 60 s; try again in \d+ s/,
    );
    expect((await ask(headers.operator)).status).toBe(200);
  });

  it("count every caller from one address together, anonymous ones included, and leave health checks alone", async () => {
    const { app, headers } = service({ perPrincipal: 0, perAddress: 2, windowS: 60 });
    expect((await app.request("/api/v1/info", {}, from("10.0.0.7"))).status).toBe(200);
    expect((await app.request("/api/v1/thing", { headers: headers.admin }, from("10.0.0.7"))).status).toBe(
      200,
    );
    const over = await app.request("/api/v1/thing", { headers: headers.viewer }, from("10.0.0.7"));
    expect(over.status).toBe(429);
    expect(((await over.json()) as { error: string }).error).toContain("address 10.0.0.7");
    expect((await app.request("/api/v1/thing", { headers: headers.viewer }, from("10.0.0.8"))).status).toBe(
      200,
    );
    expect((await app.request("/healthz", {}, from("10.0.0.7"))).status).toBe(200);
  });

  it("count logins too, before the password is checked", async () => {
    const { app } = service({ perPrincipal: 0, perAddress: 1, windowS: 60 });
    const login = () =>
      app.request(
        "/api/v1/auth/login",
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ user: "nobody", password: "wrong-password-1" }),
        },
        from("10.0.0.9"),
      );
    expect((await login()).status).toBe(401);
    expect((await login()).status).toBe(429);
  });

  it("are off when the service says so", async () => {
    const { app, headers } = service(false);
    // More than the default allows one token in a window.
    for (let i = 0; i <= DEFAULT_API_RATE_LIMITS.perPrincipal; i++)
      expect((await app.request("/api/v1/thing", { headers: headers.viewer }, from("10.0.0.5"))).status).toBe(
        200,
      );
  });
});
