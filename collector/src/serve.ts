import { findDashboardDir, listen } from "@tidegate/http-kit";
import { createSystemdNotifier, type UpgradeOptions } from "@tidegate/node-kit";
import { type CollectorExtras, createCollector, storePath } from "./collector.js";
import type { CollectorOptions } from "./config/options.js";
import { createLogger } from "./log.js";
import { upgradeSqliteStore } from "./store/sqlite-store.js";
import { VERSION } from "./version.js";

/**
 * Test knobs for the real service (test/helpers/bin/collector-under-test.ts); the CLI sets none,
 * so none of it is a flag.
 */
export interface ServeCollectorOptions extends Pick<CollectorExtras, "wireMax"> {
  /** Runs after each migration step of the store has committed. */
  afterMigrationStep?: UpgradeOptions["afterStep"];
}

/** The collector service: upgrades its store, serves the API and dashboard, ingests until SIGINT/SIGTERM. */
export async function serveCollector(
  options: CollectorOptions,
  knobs: ServeCollectorOptions = {},
): Promise<void> {
  const log = createLogger("tidegate-collector");
  const systemd = createSystemdNotifier({ onError: (message) => log.warn(message) });
  await upgradeSqliteStore(storePath(options), {
    log: (message) => log.info(message),
    afterStep: knobs.afterMigrationStep,
  });
  const collector = createCollector(options, log, {
    staticDir: findDashboardDir(),
    wireMax: knobs.wireMax,
    // Nothing is committed any more: stop taking batches and let systemd (Restart=always) start afresh.
    onStoreWriterDeath: () => process.exit(1),
  });
  await collector.provision(process.env);
  const http = await listen(collector.app, options.port, options.host);
  log.info({ port: http.port, version: VERSION }, `fleet dashboard on http://localhost:${http.port}/`);
  void collector.start();
  // Ready means serving HTTP; ready to ingest is /readyz, which waits for NATS (it may come later).
  systemd.ready(`serving on port ${http.port}; ingest readiness at /readyz`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping");
    systemd.stopping();
    await http.close();
    await collector.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}
