import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { decodeJwt } from "jose";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestIdp, type TestIdp } from "../../../../test/helpers/oidc-provider.js";
import { CSRF_HEADER, declaredRoutes, publicRoutes, useAuth } from "../index.js";
import { hashPassword } from "../password.js";
import { type AuthStore, openAuthStore } from "../store.js";
import { createOidcLogin } from "./oidc-login.js";
import { type OidcSessionStore, openOidcSessionStore } from "./session-store.js";
import { type OidcSettingsInput, oidcSettingsSchema } from "./settings.js";

// The whole sign-on against a real OpenID provider on a free port; the app itself is in-process.
const base = "http://127.0.0.1:8080";
const redirectUrl = `${base}/api/v1/auth/oidc/callback`;
let idp: TestIdp;
let dir: string;
let store: AuthStore;
let sessions: OidcSessionStore;
let clock: number;

beforeAll(async () => {
  idp = await startTestIdp({
    redirectUrl,
    users: {
      ada: { groups: ["staff", "tidegate-admins"] },
      otto: { groups: ["plant-ops"] },
      vera: { groups: ["plant-viewers"] },
      mona: { groups: ["marketing"] },
    },
  });
});
afterAll(() => idp?.close());
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-oidc-"));
  store = openAuthStore(join(dir, "auth.db"));
  sessions = openOidcSessionStore(join(dir, "sso.db"));
  clock = Date.now();
  idp.tamper(undefined);
});
afterEach(() => {
  store.close();
  sessions.close();
  rmSync(dir, { recursive: true, force: true });
});

function app(extra: Partial<OidcSettingsInput> = {}) {
  const settings = oidcSettingsSchema.parse({
    issuer: idp.issuer,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    redirectUrl,
    displayName: "Test IdP",
    roleMap: { "tidegate-admins": "admin", "plant-ops": "operator", "plant-viewers": "viewer" },
    ...extra,
  });
  const a = new Hono();
  const now = () => clock;
  const auth = useAuth(a, { store, now, sso: createOidcLogin({ settings, sessions, now }) });
  a.get("/api/v1/things", auth.need("viewer"), (c) => c.json({ things: [1] }));
  a.post("/api/v1/things", auth.need("operator"), (c) => c.json({ ok: true }));
  return a;
}

const cookiesOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .filter((c) => !c?.endsWith("="))
    .join("; ");

/** A person clicking "Sign in with …", signing in at the IdP, and coming back. */
async function ssoLogin(a: Hono, user: string) {
  const start = await a.request(`${base}/api/v1/auth/oidc/start`);
  expect(start.status).toBe(302);
  const location = new URL(start.headers.get("location") as string);
  expect(location.origin).toBe(idp.issuer);
  expect(location.searchParams.get("code_challenge_method")).toBe("S256");
  for (const p of ["state", "nonce", "code_challenge"]) expect(location.searchParams.get(p)).toBeTruthy();
  const callback = await idp.loginUrlFor(location.href, user);
  expect(callback.startsWith(redirectUrl)).toBe(true);
  const res = await a.request(callback, { headers: { cookie: cookiesOf(start) } });
  const cookie = cookiesOf(res);
  const csrf = /tidegate_csrf=([^;]+)/.exec(cookie)?.[1];
  return {
    res,
    cookie,
    csrf,
    error: new URL(res.headers.get("location") ?? base).searchParams.get("sso_error"),
  };
}

const me = async (a: Hono, cookie: string) => {
  const res = await a.request("/api/v1/auth/me", { headers: { cookie } });
  return { status: res.status, body: (await res.json()) as { name?: string; role?: string; via?: string } };
};

describe("single sign-on with OpenID Connect", () => {
  it("tells the login form which provider it offers; its routes are public, like the password login", async () => {
    const a = app();
    expect(publicRoutes(a).map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        "GET /api/v1/auth/oidc/start",
        "GET /api/v1/auth/oidc/callback",
        "GET /api/v1/auth/config",
      ]),
    );
    expect(declaredRoutes(a).filter((r) => r.path.includes("/oidc/"))).toEqual([]);
    const res = await a.request("/api/v1/auth/config");
    expect(await res.json()).toEqual({
      local: true,
      sso: { name: "Test IdP", start: "api/v1/auth/oidc/start" },
    });
  });

  it("signs in a user per role with the session cookie a password login makes, and audits it", async () => {
    const a = app();
    for (const [user, role] of [
      ["ada", "admin"],
      ["otto", "operator"],
      ["vera", "viewer"],
    ] as const) {
      const login = await ssoLogin(a, user);
      expect(login.error).toBeNull();
      expect(login.res.headers.get("location")).toBe(`${base}/`);
      expect(await me(a, login.cookie)).toEqual({
        status: 200,
        body: { name: user, role, via: "session", csrf: login.csrf },
      });
      const write = await a.request("/api/v1/things", {
        method: "POST",
        headers: { cookie: login.cookie, [CSRF_HEADER]: login.csrf as string },
      });
      expect(write.status).toBe(role === "viewer" ? 403 : 200);
    }
    const logins = store.auditLog({ action: "login" }).map((e) => `${e.actor} ${e.ok} ${e.detail}`);
    expect(logins).toContain("ada true Test IdP (ada): admin, from groups tidegate-admins");
    expect(logins).toContain("vera true Test IdP (vera): viewer, from groups plant-viewers");
  });

  it("refuses a user whose groups map to no role, or gives the default role when one is set", async () => {
    const refused = await ssoLogin(app(), "mona");
    expect(refused.error).toBe("none of groups [marketing] maps to a Tidegate role");
    expect(refused.cookie).not.toContain("tidegate_session");
    expect(store.auditLog({ action: "login" })[0]).toMatchObject({ actor: "mona", ok: false });

    const a = app({ unmappedRole: "viewer" });
    const login = await ssoLogin(a, "mona");
    expect((await me(a, login.cookie)).body.role).toBe("viewer");
  });

  it("refuses an id_token for another audience, an expired one and a tampered one", async () => {
    const a = app();
    const cases = {
      "another audience": async (t: string, sign: (c: Record<string, unknown>) => Promise<string>) =>
        sign({ ...decodeJwt(t), aud: "someone-else" }),
      expired: async (t: string, sign: (c: Record<string, unknown>) => Promise<string>) => {
        const now = Math.floor(Date.now() / 1000);
        return sign({ ...decodeJwt(t), iat: now - 7200, exp: now - 3600 });
      },
      // Promotes the user in the payload and keeps the IdP's signature, which then no longer matches.
      tampered: async (t: string) => {
        const [header, payload, signature] = t.split(".") as [string, string, string];
        const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
        const forged = Buffer.from(JSON.stringify({ ...claims, groups: ["tidegate-admins"] })).toString(
          "base64url",
        );
        return `${header}.${forged}.${signature}`;
      },
    };
    const reasons = {
      "another audience": /"aud" \(audience\) claim/,
      expired: /"exp" \(expiration time\) claim value, expiration is past/,
      tampered: /signature verification failed/,
    };
    for (const [what, tamper] of Object.entries(cases)) {
      idp.tamper(tamper);
      const login = await ssoLogin(a, "vera");
      expect(login.error, what).toMatch(/^the identity provider's answer was refused: /);
      expect(login.error, what).toMatch(reasons[what as keyof typeof reasons]);
      expect(login.cookie, what).not.toContain("tidegate_session");
    }
    const refusals = store.auditLog({ action: "login" }).filter((e) => !e.ok);
    expect(refusals).toHaveLength(3);
    // Untampered again, the same user gets in: the refusals were the token's doing.
    idp.tamper(undefined);
    expect((await ssoLogin(a, "vera")).error).toBeNull();
  });

  it("refuses a callback without the login's own state cookie", async () => {
    const a = app();
    const start = await a.request(`${base}/api/v1/auth/oidc/start`);
    const callback = await idp.loginUrlFor(start.headers.get("location") as string, "ada");
    const res = await a.request(callback);
    expect(new URL(res.headers.get("location") as string).searchParams.get("sso_error")).toMatch(
      /took too long or began in another browser/,
    );
    expect(cookiesOf(res)).not.toContain("tidegate_session");
  });

  it("refreshes at the access token's expiry, and a revoked grant ends the session there", async () => {
    const a = app();
    const otto = await ssoLogin(a, "otto");
    const vera = await ssoLogin(a, "vera");
    const before = sessionOf(otto.cookie);
    expect(before?.refreshToken).toBeTruthy();
    expect(await idp.revokeGrants("vera")).toBeGreaterThan(0);
    expect((await me(a, vera.cookie)).status).toBe(200); // not due yet: the check is at expiry

    clock += 2 * 3600_000; // past the access tokens' hour: the next request checks with the IdP
    expect((await me(a, otto.cookie)).body.role).toBe("operator");
    const after = sessionOf(otto.cookie);
    expect(after?.refreshToken).not.toBe(before?.refreshToken); // rotated by the IdP
    expect(after?.refreshAt).toBeGreaterThan(clock);
    const [first, second] = await Promise.all([
      me(a, vera.cookie),
      a.request("/api/v1/things", { headers: { cookie: vera.cookie } }),
    ]);
    expect(first.status).toBe(401);
    expect(second.status).toBe(401);
    expect((await me(a, otto.cookie)).status).toBe(200);
    const ended = store.auditLog({ action: "session.end" });
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ actor: "vera", ok: false });
    expect(ended[0]?.detail).toMatch(/^Test IdP: the identity provider refused the refresh: invalid_grant/);
  });

  it("ends the session at sign-out, and keeps local accounts working beside it", async () => {
    const a = app();
    const login = await ssoLogin(a, "ada");
    const out = await a.request("/api/v1/auth/logout", {
      method: "POST",
      headers: { cookie: login.cookie, [CSRF_HEADER]: login.csrf as string },
    });
    expect(out.status).toBe(200);
    // The old cookie, replayed, finds no session: it was removed server-side.
    expect((await me(a, login.cookie)).status).toBe(401);

    store.addUser("root", "admin", await hashPassword("break glass 123"));
    const local = await a.request("/api/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: "root", password: "break glass 123" }),
    });
    expect(local.status).toBe(200);
    expect((await me(a, cookiesOf(local))).body).toMatchObject({ name: "root", role: "admin" });
  });
});

/** The server-side session behind a session cookie (its JWT names the session id). */
function sessionOf(cookie: string) {
  const jwt = /tidegate_session=([^;]+)/.exec(cookie)?.[1] as string;
  return sessions.get(decodeJwt(jwt).sid as string);
}
