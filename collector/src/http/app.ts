import { type AuthStore, createServiceApp } from "@tidegate/http-kit";
import type { AlertsAnswer, Catalog, InfoAnswer, PointEntry } from "@tidegate/protocol";
import type { Registry } from "prom-client";
import { z } from "zod";
import { pointInfo } from "../consumer/catalog.js";
import type { IngestStats } from "../consumer/consumer.js";
import type { LiveFeed } from "../live.js";
import type { SendCommand } from "../remote/commands.js";
import { type ReadingsBackend, sqliteReadings } from "../store/backend.js";
import type { SqliteStore } from "../store/sqlite-store.js";
import { mountCommandRoutes } from "./commands-route.js";
import { mountFleetRoutes } from "./fleet-route.js";
import { mountLiveRoute } from "./live-route.js";
import { createCollectorMetrics } from "./metrics.js";
import { mountSeriesRoutes } from "./series.js";

export interface CollectorAppOptions {
  store: SqliteStore;
  /** Where readings are charted from; default: `store` itself (SQLite). */
  readings?: ReadingsBackend;
  /** Users, API tokens and the audit log; `anonymousRole` opens reading to everyone (tests, trusted networks). */
  auth: { store: AuthStore; anonymousRole?: "viewer" };
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
  /** Sends remote-management commands to gateways (POST /api/v1/gateways/:id/commands/<verb>). */
  commands?: SendCommand;
  now?: () => number;
  /** The program's logger, whose level admins may change at run time. */
  logger?: { level: string };
  /** A gateway's point catalog (names and units from its profiles), when it has sent one. */
  catalog?: (gateway: string) => Promise<Catalog | undefined>;
}

const id = z.string().min(1).max(200);
function badRequest(error: z.ZodError) {
  return { error: error.issues.map((i) => `${i.path.join(".") || "query"}: ${i.message}`).join("; ") };
}

/** The collector's HTTP API and fleet dashboard. Pure Hono: tests call app.request(); server.ts binds it. */
export function createCollectorApp(o: CollectorAppOptions) {
  const now = o.now ?? Date.now;
  const offlineAfterMs = o.offlineAfterMs ?? 30_000;
  const readings = o.readings ?? sqliteReadings(o.store);
  const clockSkewMs = o.clockSkewMs ?? 5000;
  const { app, auth, finish } = createServiceApp({
    info: () => ({ role: "collector", version: o.version }) satisfies InfoAnswer,
    auth: { ...o.auth, now },
    eventMetrics: o.eventMetrics,
    logger: o.logger,
    // Ready to ingest: consuming telemetry, and storing what it consumes.
    readiness: () => {
      const ingest = o.ingestStats?.();
      const reasons: string[] = [];
      if (!ingest) reasons.push("not connected to NATS yet");
      else if (!ingest.consuming)
        reasons.push(
          `telemetry consumer not running${ingest.lastError ? `: ${ingest.lastError}` : ""}; retrying`,
        );
      const writeError = readings.writeStatus?.().lastError;
      if (writeError)
        reasons.push(`readings not stored: ${writeError}; batches are redelivered until it works`);
      return { reasons };
    },
  });
  const viewer = auth.need("viewer");

  mountFleetRoutes(app, {
    store: o.store,
    guard: viewer,
    context: () => ({ now: now(), offlineAfterMs, clockSkewMs, sites: o.sites }),
  });

  app.get("/api/v1/alerts", viewer, (c) => {
    const gateway = c.req.query("gateway");
    const mine = <T extends { gateway: string }>(rows: T[]) =>
      gateway === undefined ? rows : rows.filter((r) => r.gateway === gateway);
    return c.json({
      active: mine(o.store.activeAlerts()),
      recent: mine(o.store.recentAlerts(200)).slice(0, 100),
    } satisfies AlertsAnswer);
  });

  app.get("/api/v1/ingest", viewer, (c) => c.json(o.ingestStats?.() ?? null));

  /** A gateway's series with their newest good value, named and with units from its catalog. */
  async function pointsOf(gateway: string, device?: string): Promise<PointEntry[]> {
    const info = pointInfo(await o.catalog?.(gateway));
    return o.store
      .points(gateway)
      .filter((p) => device === undefined || p.device === device)
      .map((p) => ({ ...p, ...info.get(`${p.device}/${p.point}`) }));
  }

  app.get("/api/v1/points", viewer, async (c) => {
    const parsed = z.object({ gateway: id }).safeParse(c.req.query());
    if (!parsed.success) return c.json(badRequest(parsed.error), 400);
    return c.json({ points: await pointsOf(parsed.data.gateway) });
  });

  // The latest value of every point of a gateway (or of one of its devices), for scripts and panels.
  app.get("/api/v1/latest", viewer, async (c) => {
    const parsed = z.object({ gateway: id, device: id.optional() }).safeParse(c.req.query());
    if (!parsed.success) return c.json(badRequest(parsed.error), 400);
    const points = await pointsOf(parsed.data.gateway, parsed.data.device);
    return c.json({
      gateway: parsed.data.gateway,
      latest: points.map((p) => ({
        device: p.device,
        point: p.point,
        ts: p.lastTs,
        value: p.lastValue,
        ...(p.name ? { name: p.name } : {}),
        ...(p.unit ? { unit: p.unit } : {}),
      })),
    });
  });

  // The chart routes are mounted by their own modules; their role is declared here.
  for (const path of ["/api/v1/series", "/api/v1/series.csv", "/api/v1/live"]) app.get(path, viewer);
  mountSeriesRoutes(app, readings, now);
  if (o.commands)
    mountCommandRoutes(app, {
      send: o.commands,
      guard: auth.need,
      actor: (c) => c.get("principal")?.name,
      onCommand: (e, c) =>
        auth.audit(c, `command.${e.verb}`, {
          target: e.gateway,
          ok: e.ok,
          detail: `${JSON.stringify(e.args)}${e.error ? `: ${e.error}` : ""}`,
        }),
    });
  if (o.live) mountLiveRoute(app, o.live);

  return finish({
    metrics: [createCollectorMetrics(o.store, o.ingestStats ?? (() => undefined), readings.writeStatus)],
    staticDir: o.staticDir,
  });
}
