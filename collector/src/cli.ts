import { parseArgs } from "node:util";
import { findDashboardDir, listen } from "@tidegate/dashboard/server";
import { SchemaError } from "@tidegate/protocol/migrations";
import { NatsSecurityError } from "@tidegate/protocol/nats-security";
import { createCollector, storePath } from "./collector.js";
import { natsSecurityFlagNames, OptionsError, parseCollectorOptions } from "./config/options.js";
import { createLogger } from "./log.js";
import { upgradeSqliteStore } from "./store/sqlite-store.js";
import { VERSION } from "./version.js";

const USAGE = `Usage: tidegate-collector [--nats <url>] [--port <n>] [--host <addr>] [--data-dir <dir>]

  --nats      NATS server URL(s), comma-separated (env TIDEGATE_NATS_URL; default nats://127.0.0.1:4222)
  --port      HTTP port for the API and fleet dashboard (env TIDEGATE_HTTP_PORT; default 8080)
  --data-dir  where collector.db lives (env TIDEGATE_DATA_DIR; default ./tidegate-data)
  --sites <file>            YAML grouping gateways into sites: sites: { "Plant Nord": [plant-1-line-1] } (TIDEGATE_SITES_FILE)
  --retention-raw-days <n>  raw readings kept (TIDEGATE_RETENTION_RAW_DAYS; default 30; 0 = forever)
  --retention-1m-days <n>   1-minute rollups kept (TIDEGATE_RETENTION_1M_DAYS; default 365)
  --retention-1h-days <n>   1-hour rollups kept (TIDEGATE_RETENTION_1H_DAYS; default 0 = forever)

NATS credentials and TLS (each also from its environment variable):
  --nats-user <name>              TIDEGATE_NATS_USER, with the password in TIDEGATE_NATS_PASSWORD or
  --nats-password-file <file>
  --nats-token-file <file>        or TIDEGATE_NATS_TOKEN
  --nats-nkey-seed-file <file>    or TIDEGATE_NATS_NKEY_SEED
  --nats-creds <file>             TIDEGATE_NATS_CREDS (.creds from nsc)
  --nats-tls-ca <pem>             TIDEGATE_NATS_TLS_CA; --nats-tls-cert/--nats-tls-key for a client certificate`;

async function main() {
  const { values } = parseArgs({
    options: {
      nats: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      "data-dir": { type: "string" },
      sites: { type: "string" },
      "retention-raw-days": { type: "string" },
      "retention-1m-days": { type: "string" },
      "retention-1h-days": { type: "string" },
      ...Object.fromEntries(natsSecurityFlagNames.map((flag) => [flag, { type: "string" as const }])),
      help: { type: "boolean", short: "h" },
      version: { type: "boolean" },
    },
  });
  if (values.help) return void console.log(USAGE);
  if (values.version) return void console.log(VERSION);
  const options = parseCollectorOptions(values);
  const log = createLogger("tidegate-collector");
  await upgradeSqliteStore(storePath(options), (message) => log.info(message));
  const collector = createCollector(options, log, { staticDir: findDashboardDir() });
  const http = await listen(collector.app, options.port, options.host);
  log.info({ port: http.port, version: VERSION }, `fleet dashboard on http://localhost:${http.port}/`);
  void collector.start();

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping");
    await http.close();
    await collector.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((err) => {
  if (err instanceof OptionsError || err instanceof SchemaError || err instanceof NatsSecurityError) {
    console.error(err.message);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
