import type { Hono } from "hono";
import { deleteCookie } from "hono/cookie";
import { z } from "zod";
import { jsonBody as body, password } from "./json-body.js";
import { type Auth, CSRF_COOKIE, clientAddress, SESSION_COOKIE } from "./middleware.js";
import { hashPassword, passwordProblem, verifyPassword } from "./password.js";
import { createLoginLimiter } from "./rate-limit.js";
import { setSessionCookies } from "./session-cookie.js";

/**
 * Login, logout, the signed-in user and a user's own password (the admin's routes are in
 * admin-routes.ts). The caller has installed `auth.authenticate` on "*" before mounting these.
 */
export function mountAuthRoutes(
  app: Hono,
  auth: Auth,
  o: { limiter?: ReturnType<typeof createLoginLimiter> } = {},
) {
  const { store, need, audit } = auth;
  const limiter = o.limiter ?? createLoginLimiter({ now: auth.now });

  app.post("/api/v1/auth/login", async (c) => {
    const b = await body(c, z.object({ user: z.string().min(1).max(64), password }));
    if ("error" in b) return c.json({ error: b.error }, 400);
    const key = `${clientAddress(c)}|${b.data.user.toLowerCase()}`;
    const waitMs = limiter.retryAfterMs(key);
    if (waitMs > 0) {
      audit(c, "login", { actor: b.data.user, ok: false, detail: "rate limited" });
      return c.json({ error: `too many failed logins; try again in ${Math.ceil(waitMs / 1000)} s` }, 429, {
        "Retry-After": String(Math.ceil(waitMs / 1000)),
      });
    }
    const user = store.getUser(b.data.user);
    if (!(await verifyPassword(b.data.password, user?.hash)) || !user) {
      limiter.fail(key);
      audit(c, "login", { actor: b.data.user, ok: false, detail: "wrong user name or password" });
      return c.json({ error: "wrong user name or password" }, 401);
    }
    limiter.succeed(key);
    if (user.disabledAt !== null) {
      audit(c, "login", { actor: user.name, ok: false, detail: "account disabled" });
      return c.json({ error: "this account is disabled; ask an admin" }, 403);
    }
    const session = await auth.issueSession(user, c);
    setSessionCookies(c, session);
    audit(c, "login", { actor: user.name });
    return c.json({ name: user.name, role: user.role, csrf: session.csrf });
  });

  app.post("/api/v1/auth/logout", (c) => {
    const p = c.get("principal");
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    deleteCookie(c, CSRF_COOKIE, { path: "/" });
    if (p?.sessionId) auth.sso?.end(p.sessionId);
    if (p?.sessionRow) store.endSession(p.name, p.sessionRow, auth.now());
    if (p?.via === "session") audit(c, "logout");
    return c.json({ ok: true });
  });

  app.get("/api/v1/auth/me", (c) => {
    const p = c.get("principal");
    if (!p) return c.json({ error: "not signed in", users: store.userCount() > 0 }, 401);
    return c.json({ name: p.name, role: p.role, via: p.via, csrf: p.csrf });
  });

  app.put("/api/v1/auth/password", need("viewer"), async (c) => {
    const p = c.get("principal");
    if (p?.via !== "session") return c.json({ error: "sign in as the user to change its password" }, 400);
    if (p.sessionId)
      return c.json({ error: "single sign-on users change their password at their identity provider" }, 400);
    const b = await body(c, z.object({ current: password, next: password }));
    if ("error" in b) return c.json({ error: b.error }, 400);
    const problem = passwordProblem(b.data.next);
    if (problem) return c.json({ error: `next: ${problem}` }, 400);
    if (!(await verifyPassword(b.data.current, store.getUser(p.name)?.hash))) {
      audit(c, "password.change", { ok: false, detail: "wrong current password" });
      return c.json({ error: "current: wrong password" }, 400);
    }
    store.updateUser(p.name, { hash: await hashPassword(b.data.next) }, auth.now());
    audit(c, "password.change");
    return c.json({ ok: true, note: "signed out everywhere; sign in again" });
  });
}
