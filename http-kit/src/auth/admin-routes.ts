import type { Hono } from "hono";
import { z } from "zod";
import { mountAuditRoutes } from "./audit-routes.js";
import { jsonBody as body, password, role, userName } from "./json-body.js";
import type { Auth } from "./middleware.js";
import { hashPassword, passwordProblem } from "./password.js";
import { newToken } from "./store.js";

const DAY_MS = 86_400_000;

/**
 * The admin's routes: users (add, role, password, disable, remove), a user's sessions, API
 * tokens (create with an expiry, list, revoke) and the audit log. Every change is audited.
 */
export function mountAdminRoutes(app: Hono, auth: Auth) {
  const { store, need, audit } = auth;
  const admin = need("admin");

  app.get("/api/v1/users", admin, (c) => c.json({ users: store.users() }));

  app.post("/api/v1/users", admin, async (c) => {
    const b = await body(c, z.object({ name: userName, role, password }));
    if ("error" in b) return c.json({ error: b.error }, 400);
    const problem = passwordProblem(b.data.password);
    if (problem) return c.json({ error: `password: ${problem}` }, 400);
    if (store.getUser(b.data.name)) return c.json({ error: `user ${b.data.name} exists` }, 409);
    store.addUser(b.data.name, b.data.role, await hashPassword(b.data.password), auth.now());
    audit(c, "user.add", { target: b.data.name, detail: `role ${b.data.role}` });
    return c.json({ name: b.data.name, role: b.data.role }, 201);
  });

  const userChange = z
    .object({ role: role.optional(), password: password.optional(), disabled: z.boolean().optional() })
    .strict();
  app.patch("/api/v1/users/:name", admin, async (c) => {
    const name = c.req.param("name");
    const b = await body(c, userChange);
    if ("error" in b) return c.json({ error: b.error }, 400);
    const user = store.getUser(name);
    if (!user) return c.json({ error: `no user ${name}` }, 404);
    const { role: newRole, disabled } = b.data;
    const losesAdmin = (newRole && newRole !== "admin") || disabled === true;
    if (losesAdmin && user.role === "admin" && user.disabledAt === null && store.adminCount() === 1)
      return c.json({ error: "the last admin cannot lose the admin role or be disabled" }, 409);
    const problem = b.data.password === undefined ? undefined : passwordProblem(b.data.password);
    if (problem) return c.json({ error: `password: ${problem}` }, 400);
    const hash = b.data.password === undefined ? undefined : await hashPassword(b.data.password);
    if (newRole || hash) store.updateUser(user.name, { role: newRole, hash }, auth.now());
    if (disabled !== undefined) {
      store.setDisabled(user.name, disabled, auth.now());
      if (disabled) store.endSessions(user.name, auth.now());
    }
    const changed = [
      newRole && `role ${newRole}`,
      hash && "password",
      disabled === true && "disabled",
      disabled === false && "enabled",
    ]
      .filter(Boolean)
      .join(", ");
    audit(c, "user.change", { target: user.name, detail: changed || "nothing" });
    return c.json({
      name: user.name,
      role: newRole ?? user.role,
      disabled: disabled ?? user.disabledAt !== null,
    });
  });

  app.delete("/api/v1/users/:name", admin, (c) => {
    const user = store.getUser(c.req.param("name"));
    if (!user) return c.json({ error: `no user ${c.req.param("name")}` }, 404);
    if (user.role === "admin" && user.disabledAt === null && store.adminCount() === 1)
      return c.json({ error: "the last admin cannot be removed" }, 409);
    store.removeUser(user.name);
    store.endSessions(user.name, auth.now());
    audit(c, "user.remove", { target: user.name });
    return c.json({ ok: true });
  });

  app.get("/api/v1/users/:name/sessions", admin, (c) => {
    const user = store.getUser(c.req.param("name"));
    if (!user) return c.json({ error: `no user ${c.req.param("name")}` }, 404);
    const current = c.get("principal")?.sessionRow;
    const sessions = store.sessions(user.name, auth.now()).map((s) => ({ ...s, current: s.id === current }));
    return c.json({ user: user.name, sessions });
  });

  app.delete("/api/v1/users/:name/sessions/:id", admin, (c) => {
    const user = store.getUser(c.req.param("name"));
    const id = c.req.param("id");
    if (!user || !store.endSession(user.name, id, auth.now()))
      return c.json({ error: `no session ${id} of ${c.req.param("name")}` }, 404);
    audit(c, "session.end", { target: user.name, detail: `session ${id}` });
    return c.json({ ok: true });
  });

  app.delete("/api/v1/users/:name/sessions", admin, (c) => {
    const user = store.getUser(c.req.param("name"));
    if (!user) return c.json({ error: `no user ${c.req.param("name")}` }, 404);
    const ended = store.endSessions(user.name, auth.now());
    // Also ends sessions signed before the sessions table existed (no row to end).
    store.updateUser(user.name, {}, auth.now());
    audit(c, "session.end-all", { target: user.name, detail: `${ended} sessions` });
    return c.json({ ok: true, ended });
  });

  app.get("/api/v1/tokens", admin, (c) => c.json({ tokens: store.tokens() }));

  const tokenRequest = z
    .object({
      name: z.string().min(1).max(100),
      role,
      /** Omitted: the token never expires (a deployment's own, rotated by hand). */
      expiresInDays: z.number().int().min(1).max(3650).optional(),
    })
    .strict();
  app.post("/api/v1/tokens", admin, async (c) => {
    const b = await body(c, tokenRequest);
    if ("error" in b) return c.json({ error: b.error }, 400);
    const token = newToken();
    const at = auth.now();
    const expiresAt = b.data.expiresInDays === undefined ? undefined : at + b.data.expiresInDays * DAY_MS;
    const { name, role: tokenRole } = b.data;
    const id = store.addToken(token, { name, role: tokenRole, by: c.get("principal")?.name, expiresAt }, at);
    const expiry = expiresAt === undefined ? "never expires" : `expires ${new Date(expiresAt).toISOString()}`;
    audit(c, "token.create", { target: id, detail: `${name} (${tokenRole}), ${expiry}` });
    return c.json(
      { id, name, role: tokenRole, expiresAt: expiresAt ?? null, token, note: "shown once; store it now" },
      201,
    );
  });

  app.delete("/api/v1/tokens/:id", admin, (c) => {
    const id = c.req.param("id");
    if (!store.revokeToken(id, auth.now())) return c.json({ error: `no active token ${id}` }, 404);
    audit(c, "token.revoke", { target: id });
    return c.json({ ok: true });
  });

  mountAuditRoutes(app, auth);
}
