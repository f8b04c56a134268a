import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { createBackoff } from "@tidegate/protocol";
import { natsSecurityOptions } from "@tidegate/protocol/nats-security";
import type { Logger } from "pino";
import { Histogram, Registry } from "prom-client";
import type { CollectorOptions } from "./config/options.js";
import { loadSites } from "./config/sites.js";
import { startAlertIngest } from "./consumer/alerts.js";
import { startIngest } from "./consumer/consumer.js";
import { createCollectorApp } from "./http/app.js";
import { createLiveFeed } from "./live.js";
import { startRetention } from "./store/retention.js";
import { openSqliteStore } from "./store/sqlite-store.js";
import { VERSION } from "./version.js";

export const storePath = (options: CollectorOptions) => join(options.dataDir, "collector.db");

/** Wires NATS ingest → store → HTTP API. */
export function createCollector(options: CollectorOptions, log: Logger, extra: { staticDir?: string } = {}) {
  mkdirSync(options.dataDir, { recursive: true });
  const store = openSqliteStore(storePath(options));
  let nc: NatsConnection | undefined;
  let ingest: ReturnType<typeof startIngest> | undefined;
  const live = createLiveFeed();
  const events = new Registry();
  const commitSeconds = new Histogram({
    name: "tidegate_store_commit_seconds",
    help: "Duration of one store transaction (the batches of one event-loop turn)",
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [events],
  });
  const app = createCollectorApp({
    store,
    live,
    eventMetrics: events,
    sites: options.sitesFile ? loadSites(options.sitesFile) : undefined,
    version: VERSION,
    staticDir: extra.staticDir,
    ingestStats: () => ingest?.stats(),
  });
  let stopped = false;
  let retention: ReturnType<typeof startRetention> | undefined;
  let alertIngest: ReturnType<typeof startAlertIngest> | undefined;
  const security = natsSecurityOptions(
    {
      user: options.natsUser,
      password: options.natsPassword,
      token: options.natsToken,
      nkeySeed: options.natsNkeySeed,
      credsFile: options.natsCreds,
      tls:
        options.natsTlsCa || options.natsTlsCert
          ? { ca: options.natsTlsCa, cert: options.natsTlsCert, key: options.natsTlsKey }
          : undefined,
    },
    "collector NATS options",
  );

  async function connectWithBackoff() {
    const backoff = createBackoff({ initialMs: 500, maxMs: 15_000 });
    while (!stopped) {
      try {
        return await connect({
          ...security,
          servers: options.nats.split(","),
          name: "tidegate-collector",
          maxReconnectAttempts: -1,
          reconnectTimeWait: 1000,
        });
      } catch (err) {
        const delay = backoff.next();
        log.warn(
          { delayMs: delay },
          `cannot connect to NATS at ${options.nats}: ${(err as Error).message}; retrying`,
        );
        await new Promise((r) => setTimeout(r, delay));
      }
    }
    return undefined;
  }

  return {
    app,
    store,
    async start() {
      retention = startRetention(
        store,
        {
          rawDays: options.retentionRawDays,
          minuteDays: options.retention1mDays,
          hourDays: options.retention1hDays,
        },
        log,
      );
      nc = await connectWithBackoff();
      if (!nc) return;
      log.info({ server: nc.getServer() }, "collector connected to NATS");
      ingest = startIngest(nc, store, log, {
        collectorVersion: VERSION,
        onCommitted: live.publish,
        observeCommit: (seconds) => commitSeconds.observe(seconds),
        // Plays an older collector in the mixed-version tests; unset in real use.
        wireMax: Number(process.env.TIDEGATE_TEST_WIRE_MAX) || undefined,
      });
      ingest.done.catch((err) => log.error({ err }, "ingest stopped"));
      alertIngest = startAlertIngest(nc, store, log);
    },
    async stop() {
      stopped = true;
      await retention?.stop();
      await ingest?.stop();
      await alertIngest?.stop();
      await nc?.drain().catch(() => nc?.close());
      store.close();
    },
  };
}
