import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  createOidcLogin,
  openAuthStore,
  openOidcSessionStore,
  provisionAccounts,
  rateLimitsFromSetting,
  sessionKeyFromEnv,
} from "@tidegate/http-kit";
import {
  createBackoff,
  createReconnectPolicy,
  natsSecurityOptions,
  readSecretFile,
} from "@tidegate/node-kit";
import type { Logger } from "pino";
import { Histogram, Registry } from "prom-client";
import { loadBranding } from "./config/branding.js";
import { oidcSettingsFrom } from "./config/oidc-options.js";
import { type CollectorOptions, OptionsError } from "./config/options.js";
import { loadSites } from "./config/sites.js";
import { startAlertIngest } from "./consumer/alerts.js";
import { createCatalogReader } from "./consumer/catalog.js";
import { startIngest } from "./consumer/consumer.js";
import { startFleetPacing } from "./consumer/pacing.js";
import { createCollectorApp } from "./http/app.js";
import { createLiveFeed } from "./live.js";
import { createReleaseBucket } from "./releases/bucket.js";
import { createCommandSender } from "./remote/commands.js";
import { createRolloutDriver } from "./rollouts/driver.js";
import { openReadings } from "./store/open-readings.js";
import { openSqliteStore } from "./store/sqlite-store.js";
import { createStoreWriter } from "./store/writer/index.js";
import { VERSION } from "./version.js";

export const storePath = (options: CollectorOptions) => join(options.dataDir, "collector.db");

/** Users, API tokens and the audit log, beside the store. */
export function openCollectorAuth(options: CollectorOptions) {
  mkdirSync(options.dataDir, { recursive: true });
  return openAuthStore(join(options.dataDir, "auth.db"), { sessionKey: sessionKeyFromEnv(process.env) });
}

export interface CollectorExtras {
  staticDir?: string;
  /**
   * The newest batch wire version this collector reads and announces: a lower one plays an older
   * collector in the mixed-version tests (test/helpers/bin/). Unset: the current version.
   */
  wireMax?: number;
  /**
   * Whether SQLite's writes run in a worker thread (default) or in this one. In-process tests may
   * take this thread: one connection, the same behaviour.
   */
  storeWriterInWorker?: boolean;
  /**
   * The store writer thread died: nothing more is committed or acked. The service exits non-zero
   * (systemd restarts it); default: logged.
   */
  onStoreWriterDeath?: (err: Error) => void;
}

/** Wires NATS ingest → store → HTTP API. */
export function createCollector(options: CollectorOptions, log: Logger, extra: CollectorExtras = {}) {
  mkdirSync(options.dataDir, { recursive: true });
  const inWorker = extra.storeWriterInWorker ?? true;
  // The main thread reads (API, metrics, rollouts) on its own connection; WAL lets it read beside
  // the writer thread, which takes every write of the readings path (decision 45).
  const store = openSqliteStore(storePath(options), {
    clockJumpMs: options.clockJumpMs,
    writesElsewhere: inWorker,
  });
  const writer = createStoreWriter(
    inWorker
      ? {
          inWorker,
          path: storePath(options),
          clockJumpMs: options.clockJumpMs,
          log,
          onDeath: (err) => {
            log.error({ err: err.message }, "store writer thread died; ingest stops");
            extra.onStoreWriterDeath?.(err);
          },
        }
      : { inWorker, store, log },
  );
  const readings = openReadings(options, store, writer, log);
  let nc: NatsConnection | undefined;
  let ingest: ReturnType<typeof startIngest> | undefined;
  const live = createLiveFeed();
  const authStore = openCollectorAuth(options);
  // Single sign-on, when --oidc-issuer is given: its sessions (with refresh tokens) beside auth.db.
  const oidc = oidcSettingsFrom(options);
  const ssoSessions = oidc && openOidcSessionStore(join(options.dataDir, "sso-sessions.db"));
  const catalog = createCatalogReader();
  const events = new Registry();
  const commitSeconds = new Histogram({
    name: "tidegate_store_commit_seconds",
    help: "Duration of one store commit of a group of batches, from the ask to the store writer thread's answer (waiting behind the group before it included)",
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [events],
  });
  const sites = options.sitesFile ? loadSites(options.sitesFile) : undefined;
  // Remote management: requests to gateways over this collector's NATS connection.
  const commands = createCommandSender({
    connection: () => nc,
    gateways: () => store.gateways(),
    offlineAfterMs: options.offlineAfterS * 1000,
  });
  const rollouts = createRolloutDriver({
    store,
    send: commands,
    sites,
    offlineAfterMs: options.offlineAfterS * 1000,
    upgradeTimeoutMs: options.rolloutUpgradeTimeoutS * 1000,
    log: { info: (m) => log.info(m), warn: (m) => log.warn(m) },
  });
  const app = createCollectorApp({
    store,
    writer,
    readings,
    auth: {
      store: authStore,
      ...(oidc && ssoSessions ? { sso: createOidcLogin({ settings: oidc, sessions: ssoSessions }) } : {}),
    },
    logger: log,
    processMetrics: true,
    rateLimit: rateLimitsFromSetting(options.apiRateLimit),
    catalog: catalog.get,
    live,
    eventMetrics: events,
    sites,
    ...(options.brandingFile ? { branding: loadBranding(options.brandingFile) } : {}),
    version: VERSION,
    staticDir: extra.staticDir,
    ingestStats: () => ingest?.stats(),
    offlineAfterMs: options.offlineAfterS * 1000,
    releases: {
      shelf: createReleaseBucket({ connection: () => nc, streamReplicas: options.streamReplicas, log }),
      ...(options.releasePublicKey
        ? {
            publicKeyPem: readSecretFile(
              options.releasePublicKey,
              "--release-public-key",
              (m) => new OptionsError(m),
            ),
          }
        : {}),
    },
    commands,
    rollouts,
  });
  let stopped = false;
  let alertIngest: ReturnType<typeof startAlertIngest> | undefined;
  let pacing: ReturnType<typeof startFleetPacing> | undefined;
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
    const backoff = createBackoff({ initialMs: 500, maxMs: 15_000, jitter: 1 });
    // Collectors are few, so their reconnects may be quicker than a gateway's; still jittered so
    // replicas do not dial a restarted node in step.
    const reconnect = createReconnectPolicy({ initialMs: 250, maxMs: 5000 });
    while (!stopped) {
      try {
        const conn = await connect({
          ...security,
          servers: options.nats.split(","),
          name: "tidegate-collector",
          maxReconnectAttempts: -1,
          reconnectDelayHandler: reconnect.delayMs,
          reconnectToServer: () => {
            reconnect.dialing();
            return null;
          },
        });
        void (async () => {
          for await (const s of conn.status()) if (s.type === "reconnect") reconnect.connected();
        })();
        return conn;
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
    /** Accounts from the environment (first admin, an API token file); says what it did. */
    provision: (env: NodeJS.ProcessEnv) =>
      provisionAccounts(
        authStore,
        env,
        log,
        "Add an admin with `tidegate-collector user add <name> --role admin --data-dir <dir>`",
      ),
    async start() {
      readings.start();
      // With InfluxDB, its retention policy prunes readings; SQLite keeps no readings to prune.
      writer.start({
        retention:
          readings.kind === "sqlite"
            ? {
                rawDays: options.retentionRawDays,
                minuteDays: options.retention1mDays,
                hourDays: options.retention1hDays,
              }
            : undefined,
      });
      // Unfinished rollouts carry on; sends wait (pending) until NATS is connected.
      rollouts.start();
      nc = await connectWithBackoff();
      if (!nc) return;
      log.info({ server: nc.getServer() }, "collector connected to NATS");
      catalog.attach(nc);
      ingest = startIngest(
        nc,
        { insertBatches: readings.insertBatches, saveHeartbeat: writer.saveHeartbeat },
        log,
        {
          collectorVersion: VERSION,
          streamReplicas: options.streamReplicas,
          ackWaitMs: options.ackWaitS * 1000,
          onCommitted: live.publish,
          observeCommit: (seconds) => commitSeconds.observe(seconds),
          wireMax: extra.wireMax,
        },
      );
      ingest.done.catch((err) => log.error({ err }, "ingest stopped"));
      alertIngest = startAlertIngest(nc, store, log, { streamReplicas: options.streamReplicas });
      pacing = startFleetPacing(nc, store.gatewayCount, log);
    },
    async stop() {
      stopped = true;
      await rollouts.stop();
      await pacing?.stop();
      await ingest?.stop();
      await alertIngest?.stop();
      await nc?.drain().catch(() => nc?.close());
      await readings.close?.();
      await writer.close();
      store.close();
      authStore.close();
      ssoSessions?.close();
    },
  };
}
