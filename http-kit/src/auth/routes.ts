import type { Context, Hono } from "hono";
import { deleteCookie } from "hono/cookie";
import { z } from "zod";
import { badRequest } from "../bad-request.js";
import { type Auth, CSRF_COOKIE, clientAddress, SESSION_COOKIE } from "./middleware.js";
import { hashPassword, PASSWORD_MAX, passwordProblem, verifyPassword } from "./password.js";
import { createLoginLimiter } from "./rate-limit.js";
import { ROLES } from "./roles.js";
import { setSessionCookies } from "./session-cookie.js";
import { newToken } from "./store.js";

const userName = z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, "1–64 letters, digits or . _ @ -");
const password = z.string().min(1).max(PASSWORD_MAX);
const role = z.enum(ROLES);

async function body<T extends z.ZodType>(c: Context, schema: T) {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    return { error: "the body must be JSON" } as const;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return badRequest(parsed.error, "body");
  return { data: parsed.data as z.infer<T> } as const;
}

/**
 * Login, logout, the signed-in user, and (admin) users, API tokens and the audit log. The
 * caller has installed `auth.authenticate` on "*" before mounting these.
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
    const session = await auth.issueSession(user);
    setSessionCookies(c, session);
    audit(c, "login", { actor: user.name });
    return c.json({ name: user.name, role: user.role, csrf: session.csrf });
  });

  app.post("/api/v1/auth/logout", (c) => {
    const p = c.get("principal");
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    deleteCookie(c, CSRF_COOKIE, { path: "/" });
    if (p?.sessionId) auth.sso?.end(p.sessionId);
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

  app.get("/api/v1/users", need("admin"), (c) => c.json({ users: store.users() }));

  app.post("/api/v1/users", need("admin"), async (c) => {
    const b = await body(c, z.object({ name: userName, role, password }));
    if ("error" in b) return c.json({ error: b.error }, 400);
    const problem = passwordProblem(b.data.password);
    if (problem) return c.json({ error: `password: ${problem}` }, 400);
    if (store.getUser(b.data.name)) return c.json({ error: `user ${b.data.name} exists` }, 409);
    store.addUser(b.data.name, b.data.role, await hashPassword(b.data.password), auth.now());
    audit(c, "user.add", { target: b.data.name, detail: `role ${b.data.role}` });
    return c.json({ name: b.data.name, role: b.data.role }, 201);
  });

  app.patch("/api/v1/users/:name", need("admin"), async (c) => {
    const name = c.req.param("name");
    const b = await body(c, z.object({ role: role.optional(), password: password.optional() }));
    if ("error" in b) return c.json({ error: b.error }, 400);
    const user = store.getUser(name);
    if (!user) return c.json({ error: `no user ${name}` }, 404);
    if (b.data.role && b.data.role !== "admin" && user.role === "admin" && store.adminCount() === 1)
      return c.json({ error: "the last admin cannot lose the admin role" }, 409);
    const problem = b.data.password === undefined ? undefined : passwordProblem(b.data.password);
    if (problem) return c.json({ error: `password: ${problem}` }, 400);
    const hash = b.data.password === undefined ? undefined : await hashPassword(b.data.password);
    store.updateUser(user.name, { role: b.data.role, hash }, auth.now());
    const changed = [b.data.role && `role ${b.data.role}`, hash && "password"].filter(Boolean).join(", ");
    audit(c, "user.change", { target: user.name, detail: changed || "nothing" });
    return c.json({ name: user.name, role: b.data.role ?? user.role });
  });

  app.delete("/api/v1/users/:name", need("admin"), (c) => {
    const user = store.getUser(c.req.param("name"));
    if (!user) return c.json({ error: `no user ${c.req.param("name")}` }, 404);
    if (user.role === "admin" && store.adminCount() === 1)
      return c.json({ error: "the last admin cannot be removed" }, 409);
    store.removeUser(user.name);
    audit(c, "user.remove", { target: user.name });
    return c.json({ ok: true });
  });

  app.get("/api/v1/tokens", need("admin"), (c) => c.json({ tokens: store.tokens() }));

  app.post("/api/v1/tokens", need("admin"), async (c) => {
    const b = await body(c, z.object({ name: z.string().min(1).max(100), role }));
    if ("error" in b) return c.json({ error: b.error }, 400);
    const token = newToken();
    const id = store.addToken(token, { ...b.data, by: c.get("principal")?.name }, auth.now());
    audit(c, "token.create", { target: id, detail: `${b.data.name} (${b.data.role})` });
    return c.json({ id, name: b.data.name, role: b.data.role, token, note: "shown once; store it now" }, 201);
  });

  app.delete("/api/v1/tokens/:id", need("admin"), (c) => {
    const id = c.req.param("id");
    if (!store.revokeToken(id, auth.now())) return c.json({ error: `no active token ${id}` }, 404);
    audit(c, "token.revoke", { target: id });
    return c.json({ ok: true });
  });

  const auditQuery = z.object({
    limit: z.coerce.number().int().min(1).max(1000).optional(),
    before: z.coerce.number().int().optional(),
    since: z.coerce.number().int().optional(),
    actor: z.string().max(200).optional(),
    action: z.string().max(100).optional(),
  });
  app.get("/api/v1/audit", need("admin"), (c) => {
    const q = auditQuery.safeParse(c.req.query());
    if (!q.success) return c.json(badRequest(q.error), 400);
    return c.json({ entries: store.auditLog(q.data) });
  });
}
