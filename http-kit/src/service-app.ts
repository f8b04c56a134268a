import { Hono } from "hono";
import { Registry } from "prom-client";
import { type ApiRateLimits, apiRateLimit } from "./api-rate-limit.js";
import { type Auth, useAuth } from "./auth/index.js";
import type { AuthOptions } from "./auth/middleware.js";
import { type Branding, defaultBranding, mountBrandingRoutes } from "./branding/index.js";
import { mountLogLevelRoutes } from "./log-level.js";
import { processMetrics } from "./process-metrics.js";
import { mountDashboard, useHttpMetrics, useSecurityHeaders } from "./server.js";

export interface Readiness {
  /** Why the program cannot do its job now; empty when ready (200), else 503. */
  reasons: string[];
  /** What an operator should know although the program is ready (a lost uplink while buffering). */
  notes?: string[];
}

export interface ServiceAppOptions {
  /** GET /api/v1/info, open to anyone: what a login page and a supervisor read first. */
  info: () => Record<string, unknown>;
  auth: AuthOptions;
  readiness: () => Readiness;
  /** Metrics observed as things happen; HTTP request timings are added to it. */
  eventMetrics?: Registry;
  /** The program's logger, whose level admins may change at run time. */
  logger?: { level: string };
  /** API request limits per principal and per address (429 with Retry-After); false turns them off. */
  rateLimit?: ApiRateLimits | false;
  /** The white-label name, logo, colours and footer (GET /api/v1/branding); default Tidegate's. */
  branding?: Branding;
  /** Adds the process's own metrics (event-loop lag, GC, heap, CPU): for the running program, not for tests' apps. */
  processMetrics?: boolean;
}

/**
 * What every Tidegate HTTP service has, in the order it must come: security headers, HTTP
 * metrics, auth and the API's rate limits before any route (every /api path and /metrics is closed unless a route opens
 * it to a role), then /api/v1/info, /healthz, /readyz and the log-level routes. The program adds
 * its routes, then calls `finish()`, which adds /metrics, the JSON 404 for unknown /api paths and
 * the dashboard's files last, so neither shadows a route.
 */
export function createServiceApp(o: ServiceAppOptions) {
  const app = new Hono();
  useSecurityHeaders(app);
  const events = o.eventMetrics ?? new Registry();
  useHttpMetrics(app, events);
  const auth: Auth = useAuth(app, o.auth, {
    ...(o.rateLimit === false ? {} : { rateLimit: apiRateLimit(o.rateLimit) }),
  });

  app.get("/api/v1/info", (c) => c.json(o.info()));
  mountBrandingRoutes(app, o.branding ?? defaultBranding());
  // For supervisors and load balancers: alive (the process answers), and ready to do its job.
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", (c) => {
    const { reasons, notes } = o.readiness();
    const ready = reasons.length === 0;
    return c.json({ ready, reasons, ...(notes ? { notes } : {}) }, ready ? 200 : 503);
  });
  if (o.logger) mountLogLevelRoutes(app, auth, o.logger);

  return {
    app,
    auth,
    /** Adds /metrics (the program's registries merged with the HTTP timings), the 404, the dashboard. */
    finish(f: { metrics: Registry[]; defaultLabels?: Record<string, string>; staticDir?: string }) {
      const metrics = Registry.merge([...f.metrics, events, ...(o.processMetrics ? [processMetrics()] : [])]);
      // merge() keeps the metrics, not the registries' default labels.
      if (f.defaultLabels) metrics.setDefaultLabels(f.defaultLabels);
      app.get("/metrics", auth.need("viewer"), async (c) =>
        c.text(await metrics.metrics(), 200, { "Content-Type": metrics.contentType }),
      );
      app.all("/api/*", (c) => c.json({ error: `no such endpoint: ${c.req.method} ${c.req.path}` }, 404));
      mountDashboard(app, f.staticDir);
      return Object.assign(app, { auth });
    },
  };
}
