import { findDashboardDir, listen } from "@tidegate/http-kit";
import { createSystemdNotifier, type UpgradeOptions } from "@tidegate/node-kit";
import { type AgentOptions, createAgent } from "./agent.js";
import { upgradeBufferFile } from "./buffer/open-file.js";
import type { LoadedConfig } from "./config/load.js";
import { createLogger } from "./log.js";
import { createLogRing } from "./log-ring.js";
import { activeConfig } from "./remote/active-config.js";
import { upgradeAlertsFile } from "./rules/alerts-store.js";
import { VERSION } from "./version.js";

/**
 * How the service starts. The CLI sets only `port`; the rest is for tests that run the real
 * service with a knob turned (test/helpers/bin/agent-under-test.ts), so none of it is config.
 */
export interface ServeAgentOptions extends Pick<AgentOptions, "wireVersion" | "bufferMaxPageCount"> {
  /** Overrides http.port from the config. */
  port?: number;
  /** Runs after each migration step of the buffer and alerts files has committed. */
  afterMigrationStep?: UpgradeOptions["afterStep"];
}

/** The gateway service: upgrades its files, polls, forwards and serves the local dashboard until SIGINT/SIGTERM. */
export async function serveAgent(loaded: LoadedConfig, options: ServeAgentOptions = {}): Promise<void> {
  const logRing = createLogRing();
  const log = createLogger("tidegate-agent", { ring: logRing });
  const systemd = createSystemdNotifier({ onError: (message) => log.warn(message) });
  for (const w of loaded.warnings) log.warn(w);
  // A config applied remotely stays in force across restarts; the file is never rewritten.
  const active = activeConfig(loaded);
  if (active.message) log.info({ configVersion: active.version }, active.message);
  const { config } = active.loaded;
  // Every log line names the gateway, so a central log store can tell gateways apart.
  log.setBindings({ gateway: config.gateway });
  if (options.port !== undefined) config.http.port = options.port;
  const upgrade = { log: (message: string) => log.info(message), afterStep: options.afterMigrationStep };
  await upgradeBufferFile(config.buffer.path, upgrade);
  await upgradeAlertsFile(config.alerts.path ?? ":memory:", upgrade);
  let stopping = false;
  let http: Awaited<ReturnType<typeof listen>> | undefined;
  const agent = createAgent(active.loaded, log, {
    staticDir: findDashboardDir(),
    logRing,
    configVersion: active.version,
    wireVersion: options.wireVersion,
    bufferMaxPageCount: options.bufferMaxPageCount,
    // After an upgrade switched versions: a clean stop, and systemd's Restart=always starts the new one.
    restart: () => void shutdown("upgrade"),
  });
  await agent.provision(process.env);
  await agent.start();
  http = await listen(agent.app, config.http.port, config.http.host);
  log.info({ port: http.port, version: VERSION }, `local dashboard on http://localhost:${http.port}/`);
  systemd.ready(`gateway ${config.gateway}: polling, dashboard on port ${http.port}`);

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping: flushing the buffer");
    systemd.stopping();
    await http?.close();
    await agent.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}
