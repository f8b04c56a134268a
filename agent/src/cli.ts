import { parseArgs } from "node:util";
import { findDashboardDir, listen } from "@tidegate/dashboard/server";
import { SchemaError } from "@tidegate/protocol/migrations";
import { NatsSecurityError } from "@tidegate/protocol/nats-security";
import { createAgent } from "./agent.js";
import { upgradeBufferFile } from "./buffer/open-file.js";
import { listPorts } from "./cli/ports.js";
import { PROBE_USAGE, ProbeUsageError, probe } from "./cli/probe.js";
import { ConfigError, loadConfigFile, printMigratedConfig } from "./config/load.js";
import { SecretError } from "./config/secrets.js";
import { createLogger } from "./log.js";
import { upgradeAlertsFile } from "./rules/alerts-store.js";
import { VERSION } from "./version.js";

const USAGE = `Usage: tidegate-agent [--config <file>] [--port <http port>]
       tidegate-agent check --config <file>     validate a config and exit (also: validate <file>)
       tidegate-agent probe --profile <id> --port <host:port | serial device> [--unit <n>]
                                                read a device once; shows values in every byte/word order
       tidegate-agent ports                     list serial ports with their stable /dev/serial/by-id paths
       tidegate-agent config migrate --config <file>
                                                print the config in the current format (the file is not changed)

  --config   YAML config (default: ./tidegate-agent.yaml); see agent/config.example.yaml
  --port     overrides http.port from the config
  --version  prints the version`;

async function main() {
  // The technician's commands have their own options (probe's --port is the device's).
  const [command, ...rest] = process.argv.slice(2);
  if (command === "probe") {
    if (rest.includes("--help") || rest.includes("-h")) return void console.log(PROBE_USAGE);
    process.exitCode = await probe(rest);
    return;
  }
  if (command === "ports") {
    process.exitCode = await listPorts();
    return;
  }
  if (command === "validate" && rest[0] && !rest[0].startsWith("-")) {
    process.argv.splice(2, 2, "check", "--config", rest[0]);
  }
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      config: { type: "string", short: "c", default: "tidegate-agent.yaml" },
      port: { type: "string" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean" },
    },
  });
  if (values.help) return void console.log(USAGE);
  if (values.version) return void console.log(VERSION);

  if (positionals[0] === "config" && positionals[1] === "migrate") {
    const { text, warnings } = printMigratedConfig(values.config);
    for (const w of warnings) console.error(`${values.config}: ${w}`);
    process.stdout.write(text);
    return;
  }
  const loaded = loadConfigFile(values.config);
  if (positionals[0] === "check") {
    for (const w of loaded.warnings) console.log(`warning: ${w}`);
    console.log(
      `${values.config}: ok (${loaded.config.devices.length} devices, gateway ${loaded.config.gateway})`,
    );
    return;
  }
  if (values.port !== undefined) loaded.config.http.port = Number(values.port);

  const log = createLogger("tidegate-agent");
  for (const w of loaded.warnings) log.warn(w);
  await upgradeBufferFile(loaded.config.buffer.path, (message) => log.info(message));
  await upgradeAlertsFile(loaded.config.alerts.path ?? ":memory:", (message) => log.info(message));
  const agent = createAgent(loaded, log, { staticDir: findDashboardDir() });
  await agent.start();
  const http = await listen(agent.app, loaded.config.http.port, loaded.config.http.host);
  log.info(
    { port: http.port, gateway: loaded.config.gateway, version: VERSION },
    `local dashboard on http://localhost:${http.port}/`,
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping: flushing the buffer");
    await http.close();
    await agent.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((err) => {
  if (err instanceof ProbeUsageError) {
    console.error(`${err.message}\n\n${PROBE_USAGE}`);
    process.exit(2);
  }
  if (
    err instanceof ConfigError ||
    err instanceof SchemaError ||
    err instanceof SecretError ||
    err instanceof NatsSecurityError
  ) {
    console.error(err.message);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
