import type { Hono, MiddlewareHandler } from "hono";
import { mountAdminRoutes } from "./admin-routes.js";
import { type AuthOptions, createAuth } from "./middleware.js";
import { mountAuthRoutes } from "./routes.js";

export { addAccount } from "./accounts.js";
export { AUTH_USAGE, AuthCliError, runAuthCommand } from "./cli.js";
export {
  type Auth,
  CSRF_COOKIE,
  CSRF_HEADER,
  clientAddress,
  PUBLIC_PATHS,
  type RoleGuard,
  SESSION_COOKIE,
  type SingleSignOn,
} from "./middleware.js";
export { createOidcLogin, type OidcLoginOptions } from "./oidc/oidc-login.js";
export { openOidcSessionStore } from "./oidc/session-store.js";
export {
  type OidcSettings,
  type OidcSettingsInput,
  oidcSettingsSchema,
  parseRoleMap,
} from "./oidc/settings.js";
export { hashPassword } from "./password.js";
export { ProvisionError, provisionAccounts, provisionFromEnv, sessionKeyFromEnv } from "./provision.js";
export { type Principal, ROLES, type Role, roleAtLeast, roleBelow } from "./roles.js";
export { type AuthStore, openAuthStore } from "./store.js";

/**
 * Puts users, roles and API tokens in front of an app: call before mounting any route, so the
 * default is closed — every /api path and /metrics needs a signed-in user or a token, and each
 * route then names the role it needs with `auth.need(role)`.
 */
export function useAuth(app: Hono, options: AuthOptions, o: { rateLimit?: MiddlewareHandler } = {}) {
  const auth = createAuth(options);
  app.use("*", auth.authenticate);
  // After authentication (it counts per principal), before every route, the login included.
  if (o.rateLimit) app.use("*", o.rateLimit);
  mountAuthRoutes(app, auth);
  // What the login form offers: open to anyone, like the form itself.
  app.get("/api/v1/auth/config", (c) =>
    c.json({
      local: true,
      sso: options.sso ? { name: options.sso.displayName, start: "api/v1/auth/oidc/start" } : null,
    }),
  );
  options.sso?.mount(app, auth);
  mountAdminRoutes(app, auth);
  return auth;
}
export { type DeclaredRoute, declaredRoutes, publicRoutes, sampleUrl } from "./route-roles.js";
