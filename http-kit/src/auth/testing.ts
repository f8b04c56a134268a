import type { Hono } from "hono";
import { hashPassword } from "./password.js";
import { ROLES, type Role, roleBelow } from "./roles.js";
import { declaredRoutes, sampleUrl } from "./route-roles.js";
import { openAuthStore } from "./store.js";

/**
 * An in-memory auth store with one API token per role, for in-process tests of routes:
 * `headers.operator` authenticates as an operator.
 */
export function testAuthStore() {
  const store = openAuthStore(":memory:");
  const headers = Object.fromEntries(
    ROLES.map((role) => {
      const token = `tg_test-${role}-token-0123456789`;
      store.addToken(token, { name: `test ${role}`, role });
      return [role, { authorization: `Bearer ${token}` }];
    }),
  ) as Record<Role, { authorization: string }>;
  return {
    store,
    headers,
    addUser: async (name: string, role: Role, password: string) =>
      store.addUser(name, role, await hashPassword(password)),
  };
}

/**
 * Proves every API and metrics route of `app` declares a role and refuses anonymous callers and
 * the role below it, while letting the role itself past the guard. Returns what is wrong, route
 * by route, and how many routes were checked.
 */
export async function checkRouteRoles(app: Hono, headers: Record<Role, { authorization: string }>) {
  const call = async (method: string, path: string, extra: Record<string, string> = {}) => {
    const res = await app.request(sampleUrl(path), {
      method,
      headers: { "content-type": "application/json", ...extra },
      ...(method === "GET" || method === "HEAD" ? {} : { body: "{}" }),
    });
    await res.body?.cancel(); // streaming routes never end by themselves
    return res.status;
  };
  const problems: string[] = [];
  const routes = declaredRoutes(app);
  for (const r of routes) {
    const name = `${r.method} ${r.path}`;
    if (!r.role) {
      problems.push(`${name} declares no role`);
      continue;
    }
    const anonymous = await call(r.method, r.path);
    if (anonymous !== 401) problems.push(`${name} answered ${anonymous} to an anonymous caller`);
    const below = roleBelow(r.role);
    const refused = below && (await call(r.method, r.path, headers[below]));
    if (below && refused !== 403) problems.push(`${name} (${r.role}) answered ${refused} to ${below}`);
    const allowed = await call(r.method, r.path, headers[r.role]);
    if (allowed === 401 || allowed === 403) problems.push(`${name} refused its own role ${r.role}`);
  }
  return { problems, checked: routes.map((r) => `${r.method} ${r.path} ${r.role}`) };
}
