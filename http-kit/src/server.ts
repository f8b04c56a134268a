import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { Gauge, Histogram, type Registry } from "prom-client";

/**
 * Where the built dashboard is: programs carry a copy in `public/` beside their bundle (copied by
 * their tsup config); a checkout falls back to dashboard/dist, two levels up from both the bundle
 * (agent/dist/) and this file (http-kit/src/). The search starts from the bundle, because bundling
 * moves this file.
 */
export function findDashboardDir(): string | undefined {
  for (const rel of ["./public", "../../dashboard/dist"]) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}/index.html`)) return dir;
  }
  return undefined;
}

/** Serves the dashboard's files, and index.html for any other non-API path (client-side routes). */
/**
 * Security headers on every response of an agent or collector: no framing (clickjacking), no
 * MIME sniffing, no referrer leaks, and a content policy that only lets the dashboard load its
 * own files — it never needs a CDN. CORS stays off: no Access-Control headers are ever sent.
 */
export function useSecurityHeaders(app: Hono): void {
  app.use(
    "*",
    secureHeaders({
      xFrameOptions: "DENY",
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // The loading notice in index.html has a style attribute; scripts stay strict.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
      },
    }),
  );
}

/**
 * A gauge on `registry` whose value is read at scrape time by `collect`, so /metrics and the
 * status API read the same state and never disagree.
 */
export function scrapeGaugeFactory(registry: Registry) {
  return (name: string, help: string, labelNames: string[], collect: (g: Gauge) => void) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        collect(this);
      },
    });
}

/**
 * Times every HTTP request into `tidegate_http_request_duration_seconds{method,route,status}` on
 * `registry`; the route is the matched pattern, so ids in paths do not explode the label set.
 */
export function useHttpMetrics(app: Hono, registry: Registry): void {
  const histogram = new Histogram({
    name: "tidegate_http_request_duration_seconds",
    help: "HTTP requests by method, route and status, with their duration",
    labelNames: ["method", "route", "status"],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  app.use("*", async (c, next) => {
    const end = histogram.startTimer();
    await next();
    const route = c.req.routePath && c.req.routePath !== "*" ? c.req.routePath : "other";
    end({ method: c.req.method, route, status: String(c.res.status) });
  });
}

export function mountDashboard(app: Hono, staticDir: string | undefined): void {
  if (!staticDir) return;
  app.use("/*", serveStatic({ root: staticDir }));
  app.get("/*", serveStatic({ root: staticDir, path: "index.html" }));
}

/** Binds a Hono app to a port; the only place either program touches an HTTP socket. */
export function listen(
  app: Hono,
  port: number,
  host: string,
): Promise<{ port: number; close: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: host }, (info) => {
      resolve({ port: info.port, close: () => new Promise<void>((done) => server.close(() => done())) });
    });
    server.once("error", reject);
  });
}
