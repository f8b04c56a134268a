import type { Hono } from "hono";
import type { Role } from "./roles.js";

/** Paths open to anyone, by design: what a login page and a supervisor need. */
export const PUBLIC_PATHS = new Set([
  "/api/v1/info",
  "/api/v1/auth/login",
  "/api/v1/auth/logout",
  "/api/v1/auth/me",
  "/healthz",
  "/readyz",
]);

export interface DeclaredRoute {
  method: string;
  path: string;
  /** The role its guard needs; undefined when the route has no guard (a defect unless public). */
  role: Role | undefined;
}

/**
 * Every API and metrics route of an app with the role it declared through `auth.need(role)`, read
 * from the app's own route table: a test can then prove each one refuses the role below.
 */
export function declaredRoutes(app: Hono): DeclaredRoute[] {
  const routes = new Map<string, DeclaredRoute>();
  for (const r of app.routes) {
    if (r.method === "ALL") continue; // middleware and the 404 catch-all
    if (!(r.path.startsWith("/api/") || r.path === "/metrics") || PUBLIC_PATHS.has(r.path)) continue;
    const key = `${r.method} ${r.path}`;
    const role = (r.handler as { requiredRole?: Role }).requiredRole;
    const seen = routes.get(key);
    routes.set(key, { method: r.method, path: r.path, role: seen?.role ?? role });
  }
  return [...routes.values()];
}

/** A concrete URL for a route pattern: parameters get a harmless value. */
export const sampleUrl = (path: string) => path.replace(/:[A-Za-z]+/g, "x").replace(/\*/g, "x");
