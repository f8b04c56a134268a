import type { MiddlewareHandler } from "hono";
import type { Role } from "./auth/roles.js";

/**
 * What a module of routes takes to guard them: `auth.need` in the programs, a stand-in in a
 * module's own tests. Each route names its role where it is written, not where it is mounted.
 */
export type RouteGuard = (role: Role) => MiddlewareHandler;
