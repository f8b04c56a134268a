import type { Hono } from "hono";
import { PUBLIC_PATHS } from "./middleware.js";
import type { Role } from "./roles.js";

export interface DeclaredRoute {
  method: string;
  path: string;
  /** The role its guard needs; undefined when the route has no guard (a defect unless public). */
  role: Role | undefined;
}

/** Each method and path of the app's own route table once, with the role its guard declared. */
function routeTable(app: Hono): DeclaredRoute[] {
  const routes = new Map<string, DeclaredRoute>();
  for (const r of app.routes) {
    if (r.method === "ALL") continue; // middleware and the 404 catch-all
    const key = `${r.method} ${r.path}`;
    const role = (r.handler as { requiredRole?: Role }).requiredRole;
    const seen = routes.get(key);
    routes.set(key, { method: r.method, path: r.path, role: seen?.role ?? role });
  }
  return [...routes.values()];
}

/**
 * Every API and metrics route of an app with the role it declared through `auth.need(role)`, read
 * from the app's own route table: a test can then prove each one refuses the role below.
 */
export const declaredRoutes = (app: Hono): DeclaredRoute[] =>
  routeTable(app).filter(
    (r) => (r.path.startsWith("/api/") || r.path === "/metrics") && !PUBLIC_PATHS.has(r.path),
  );

/** The routes of an app that anyone may call (PUBLIC_PATHS), for tests that must reach them too. */
export const publicRoutes = (app: Hono): DeclaredRoute[] =>
  routeTable(app).filter((r) => PUBLIC_PATHS.has(r.path));

/** A concrete URL for a route pattern: parameters get a harmless value. */
export const sampleUrl = (path: string) => path.replace(/:[A-Za-z]+/g, "x").replace(/\*/g, "x");
