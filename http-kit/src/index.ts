/**
 * The HTTP kit the agent and the collector share: users, sessions, API tokens and the audit log
 * (auth/), security headers, HTTP metrics, serving the dashboard's files, listening on a port, and
 * the log-level routes, and the service app that puts them together (info, healthz, readyz,
 * metrics, 404). This file is the package's whole public surface.
 *
 * `@tidegate/http-kit/testing` (auth/testing.ts: an in-memory auth store with a token per role,
 * and the route-role check) is for tests only; production code never imports it.
 */

export {
  type ApiRateLimits,
  DEFAULT_API_RATE_LIMITS,
  RATE_LIMIT_SETTING_HELP,
  rateLimitsFromSetting,
} from "./api-rate-limit.js";
export {
  AUTH_USAGE,
  type Auth,
  AuthCliError,
  type AuthStore,
  addAccount,
  createOidcLogin,
  type DeclaredRoute,
  declaredRoutes,
  type OidcSettings,
  type OidcSettingsInput,
  oidcSettingsSchema,
  openAuthStore,
  openOidcSessionStore,
  ProvisionError,
  parseRoleMap,
  provisionAccounts,
  publicRoutes,
  runAuthCommand,
  type SingleSignOn,
  sessionKeyFromEnv,
  useAuth,
} from "./auth/index.js";
export { badRequest } from "./bad-request.js";
export {
  type Branding,
  type BrandingSettings,
  brandingSchema,
  DEFAULT_PRODUCT_NAME,
  resolveBranding,
} from "./branding/index.js";
export { mountLogLevelRoutes } from "./log-level.js";
export type { RouteGuard } from "./route-guard.js";
export {
  findDashboardDir,
  listen,
  mountDashboard,
  scrapeGaugeFactory,
  useHttpMetrics,
  useSecurityHeaders,
} from "./server.js";
export { createServiceApp, type Readiness, type ServiceAppOptions } from "./service-app.js";
