import {
  type ApiRateLimits,
  type AuthStore,
  type Branding,
  createServiceApp,
  type SingleSignOn,
} from "@tidegate/http-kit";
import type { Catalog, InfoAnswer } from "@tidegate/protocol";
import type { Registry } from "prom-client";
import type { IngestStats } from "../consumer/consumer.js";
import type { LiveFeed } from "../live.js";
import type { ReleaseShelf } from "../releases/shelf.js";
import type { SendCommand } from "../remote/commands.js";
import type { RolloutDriver } from "../rollouts/driver.js";
import { type ReadingsBackend, sqliteReadings } from "../store/backend.js";
import type { SqliteStore } from "../store/sqlite-store.js";
import type { StoreWriter } from "../store/writer/index.js";
import { commandRoutes } from "./commands-route.js";
import { devicePushRoutes } from "./device-push-route.js";
import { fleetRoutes } from "./fleet-route.js";
import { gatewayDataRoutes } from "./gateway-data-routes.js";
import { liveRoutes } from "./live-route.js";
import { createCollectorMetrics } from "./metrics.js";
import { releaseRoutes } from "./releases-route.js";
import { rolloutRoutes } from "./rollouts-route.js";
import { seriesRoutes } from "./series.js";

export interface CollectorAppOptions {
  store: SqliteStore;
  /**
   * The store writer (store/writer/), when another connection writes: reads ask it to write a
   * gateway's waiting values first. Unset: `store` writes them itself.
   */
  writer?: Pick<StoreWriter, "writeLatest">;
  /** Where readings are charted from; default: `store` itself (SQLite). */
  readings?: ReadingsBackend;
  /** Users, API tokens and the audit log; `anonymousRole` opens reading to everyone (tests, trusted networks). */
  auth: { store: AuthStore; anonymousRole?: "viewer"; sso?: SingleSignOn };
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
  /** Agent releases (GET|POST /api/v1/releases); `publicKeyPem` refuses uploads that key did not sign. */
  releases?: { shelf: ReleaseShelf; publicKeyPem?: string };
  /** Staged rollouts of releases (GET|POST /api/v1/rollouts…). */
  rollouts?: RolloutDriver;
  now?: () => number;
  /** The program's logger, whose level admins may change at run time. */
  logger?: { level: string };
  /** Serve the process's own metrics (event-loop lag, GC, heap) on /metrics: the running program sets it. */
  processMetrics?: boolean;
  /** API request limits (http-kit's defaults when absent); false turns them off. */
  rateLimit?: ApiRateLimits | false;
  /** The white-label name, logo, colours and footer the fleet view shows; default Tidegate's. */
  branding?: Branding;
  /** A gateway's point catalog (names and units from its profiles), when it has sent one. */
  catalog?: (gateway: string) => Promise<Catalog | undefined>;
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
    branding: o.branding,
    processMetrics: o.processMetrics,
    ...(o.rateLimit === undefined ? {} : { rateLimit: o.rateLimit }),
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
  const context = () => ({ now: now(), offlineAfterMs, clockSkewMs, sites: o.sites });
  // Each module of routes names the role of each route where it is written.
  app.route("/", fleetRoutes(auth.need, { store: o.store, context }));
  app.route(
    "/",
    gatewayDataRoutes(auth.need, {
      store: o.store,
      writer: o.writer,
      catalog: o.catalog,
      ingestStats: o.ingestStats,
    }),
  );
  app.route("/", seriesRoutes(auth.need, readings, now));
  if (o.live) app.route("/", liveRoutes(auth.need, o.live));
  if (o.commands)
    app.route(
      "/",
      commandRoutes({
        send: o.commands,
        need: auth.need,
        actor: (c) => c.get("principal")?.name,
        onCommand: (e, c) =>
          auth.audit(c, `command.${e.verb}`, {
            target: e.gateway,
            ok: e.ok,
            detail: `${JSON.stringify(e.args)}${e.error ? `: ${e.error}` : ""}`,
          }),
      }),
    );
  if (o.commands)
    app.route(
      "/",
      devicePushRoutes({
        send: o.commands,
        need: auth.need,
        actor: (c) => c.get("principal")?.name,
        onPush: (c, target, ok, detail) => auth.audit(c, "device.push", { target, ok, detail }),
      }),
    );
  if (o.releases)
    app.route(
      "/",
      releaseRoutes(auth.need, {
        ...o.releases,
        now,
        actor: (c) => c.get("principal")?.name,
        onUpload: (c, version, ok, detail) =>
          auth.audit(c, "release.upload", { target: version, ok, detail }),
      }),
    );
  if (o.rollouts) {
    const { shelf } = o.releases ?? {};
    app.route(
      "/",
      rolloutRoutes(auth.need, {
        driver: o.rollouts,
        ...(shelf ? { releaseExists: async (v: string) => (await shelf.get(v)) !== undefined } : {}),
        actor: (c) => c.get("principal")?.name,
        onAction: (c, action, target, ok, detail) => auth.audit(c, action, { target, ok, detail }),
      }),
    );
  }

  return finish({
    metrics: [createCollectorMetrics(o.store, o.ingestStats ?? (() => undefined), readings.writeStatus)],
    staticDir: o.staticDir,
  });
}
