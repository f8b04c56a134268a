import { mountDashboard, useHttpMetrics, useSecurityHeaders } from "@tidegate/dashboard/server";
import { BATCH_VERSION } from "@tidegate/protocol";
import { Hono } from "hono";
import { Registry } from "prom-client";
import { z } from "zod";
import type { IngestStats } from "../consumer/consumer.js";
import type { LiveFeed } from "../live.js";
import type { SqliteStore } from "../store/sqlite-store.js";
import { completeness } from "./completeness.js";
import { mountLiveRoute } from "./live-route.js";
import { createCollectorMetrics } from "./metrics.js";
import { mountSeriesRoutes } from "./series.js";

export interface CollectorAppOptions {
  store: SqliteStore;
  version: string;
  /** Metrics observed as things happen (store commits); HTTP request timings are added to it. */
  eventMetrics?: Registry;
  /** Gateway id -> site, from the sites file: a grouping for the fleet view. */
  sites?: Record<string, string>;
  /** A gateway clock further off than this is flagged; default 5 s. */
  clockSkewMs?: number;
  /** New readings pushed to dashboards (GET /api/v1/live). */
  live?: LiveFeed;
  staticDir?: string;
  ingestStats?: () => IngestStats | undefined;
  /** A gateway is offline when no heartbeat or batch arrived for this long. */
  offlineAfterMs?: number;
  now?: () => number;
}

const id = z.string().min(1).max(200);
function badRequest(error: z.ZodError) {
  return { error: error.issues.map((i) => `${i.path.join(".") || "query"}: ${i.message}`).join("; ") };
}

function clock(agentTs: number | undefined, receivedAt: number | null, skewMs: number) {
  if (agentTs === undefined || receivedAt === null) return {};
  const clockOffsetMs = agentTs - receivedAt;
  return { clockOffsetMs, clockSkewed: Math.abs(clockOffsetMs) > skewMs };
}

/** The collector's HTTP API and fleet dashboard. Pure Hono: tests call app.request(); server.ts binds it. */
export function createCollectorApp(o: CollectorAppOptions) {
  const now = o.now ?? Date.now;
  const offlineAfterMs = o.offlineAfterMs ?? 30_000;
  const clockSkewMs = o.clockSkewMs ?? 5000;
  const app = new Hono();
  useSecurityHeaders(app);
  const events = o.eventMetrics ?? new Registry();
  useHttpMetrics(app, events);

  app.get("/api/v1/info", (c) => c.json({ role: "collector", version: o.version }));

  // For supervisors and load balancers: alive, and ready to ingest (consuming telemetry).
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", (c) => {
    const ingest = o.ingestStats?.();
    const reasons: string[] = [];
    if (!ingest) reasons.push("not connected to NATS yet");
    else if (!ingest.consuming)
      reasons.push(
        `telemetry consumer not running${ingest.lastError ? `: ${ingest.lastError}` : ""}; retrying`,
      );
    return c.json({ ready: reasons.length === 0, reasons }, reasons.length === 0 ? 200 : 503);
  });

  app.get("/api/v1/gateways", (c) => {
    const t = now();
    const site = c.req.query("site");
    const all = o.store.gateways().map((g) => ({
      id: g.id,
      site: o.sites?.[g.id],
      firstSeen: g.firstSeen,
      lastSeen: g.lastSeen,
      online: g.lastSeen !== null && t - g.lastSeen < offlineAfterMs,
      version: g.heartbeat?.version,
      backlog: g.heartbeat?.backlog,
      oldestUnsentAgeMs: g.heartbeat?.oldestUnsentAgeMs,
      uplinkConnected: g.heartbeat?.uplinkConnected,
      sources: g.heartbeat?.sources,
      dropped: g.heartbeat?.dropped,
      seq: completeness(g),
      // A gateway still sending an older wire version is read, and pointed out for upgrade.
      wire: g.wireVersion === null ? undefined : { version: g.wireVersion, current: BATCH_VERSION },
      // The agent's clock minus ours when its heartbeat arrived (plus the network's delay).
      ...clock(g.heartbeat?.ts, g.heartbeatAt, clockSkewMs),
      alarms: g.heartbeat?.alarms,
      activeAlerts: g.heartbeat?.activeAlerts,
    }));
    const gateways = site === undefined ? all : all.filter((g) => g.site === site);
    const offline = gateways.filter((g) => !g.online).length;
    return c.json({ gateways, offline });
  });

  app.get("/api/v1/alerts", (c) => {
    const gateway = c.req.query("gateway");
    const mine = <T extends { gateway: string }>(rows: T[]) =>
      gateway === undefined ? rows : rows.filter((r) => r.gateway === gateway);
    return c.json({
      active: mine(o.store.activeAlerts()),
      recent: mine(o.store.recentAlerts(200)).slice(0, 100),
    });
  });

  app.get("/api/v1/ingest", (c) => c.json(o.ingestStats?.() ?? null));

  app.get("/api/v1/points", (c) => {
    const parsed = z.object({ gateway: id }).safeParse(c.req.query());
    if (!parsed.success) return c.json(badRequest(parsed.error), 400);
    return c.json({ points: o.store.points(parsed.data.gateway) });
  });

  mountSeriesRoutes(app, o.store, now);
  if (o.live) mountLiveRoute(app, o.live);

  const metrics = Registry.merge([
    createCollectorMetrics(o.store, o.ingestStats ?? (() => undefined)),
    events,
  ]);
  app.get("/metrics", async (c) =>
    c.text(await metrics.metrics(), 200, { "Content-Type": metrics.contentType }),
  );

  app.all("/api/*", (c) => c.json({ error: `no such endpoint: ${c.req.method} ${c.req.path}` }, 404));

  mountDashboard(app, o.staticDir);
  return app;
}
