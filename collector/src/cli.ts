import { parseArgs } from "node:util";
import { AUTH_USAGE, runAuthCommand } from "@tidegate/http-kit";
import { formatCliError } from "@tidegate/protocol";
import { RELEASE_USAGE, runReleaseCommand } from "./cli/release.js";
import { openCollectorAuth } from "./collector.js";
import { collectorFlags, parseCollectorOptions } from "./config/options.js";
import { serveCollector } from "./serve.js";
import { VERSION } from "./version.js";

const USAGE = `Usage: tidegate-collector [--nats <url>] [--port <n>] [--host <addr>] [--data-dir <dir>]

${AUTH_USAGE("tidegate-collector")}
                  (user and token commands take --data-dir like the service)
${RELEASE_USAGE}

  --nats      NATS server URL(s), comma-separated (env TIDEGATE_NATS_URL; default nats://127.0.0.1:4222)
  --port      HTTP port for the API and fleet dashboard (env TIDEGATE_HTTP_PORT; default 8080)
  --data-dir  where collector.db lives (env TIDEGATE_DATA_DIR; default ./tidegate-data)
  --sites <file>            YAML grouping gateways into sites: sites: { "Plant Nord": [plant-1-line-1] } (TIDEGATE_SITES_FILE)
  --branding <file>         YAML white-label: productName, logo, colors { primary, accent }, footer { text, url } (TIDEGATE_BRANDING_FILE; docs/white-label.md)
  --retention-raw-days <n>  raw readings kept (TIDEGATE_RETENTION_RAW_DAYS; default 30; 0 = forever)
  --retention-1m-days <n>   1-minute rollups kept (TIDEGATE_RETENTION_1M_DAYS; default 365)
  --retention-1h-days <n>   1-hour rollups kept (TIDEGATE_RETENTION_1H_DAYS; default 0 = forever)
  --offline-after-s <n>     a gateway silent this long is offline and gets no commands (TIDEGATE_OFFLINE_AFTER_S; default 30)
  --clock-jump-ms <n>       flag a gateway whose clock steps this far between heartbeats (TIDEGATE_CLOCK_JUMP_MS; default 2000)
  --stream-replicas <n>     copies of each JetStream stream (TIDEGATE_STREAM_REPLICAS; default 3 on a cluster, 1 on one server)
  --ack-wait-s <n>          how long batches a crashed collector pulled wait before another collector gets them (TIDEGATE_ACK_WAIT_S; default 30; the same on every collector)
  --release-public-key <pem>  refuse release uploads this key did not sign (TIDEGATE_RELEASE_PUBLIC_KEY; docs/upgrades.md)
  --rollout-upgrade-timeout-s <n>  a rollout fails a gateway not healthy this long after its upgrade was sent (TIDEGATE_ROLLOUT_UPGRADE_TIMEOUT_S; default 900)

NATS credentials and TLS (each also from its environment variable):
  --nats-user <name>              TIDEGATE_NATS_USER, with the password in TIDEGATE_NATS_PASSWORD or
  --nats-password-file <file>
  --nats-token-file <file>        or TIDEGATE_NATS_TOKEN
  --nats-nkey-seed-file <file>    or TIDEGATE_NATS_NKEY_SEED
  --nats-creds <file>             TIDEGATE_NATS_CREDS (.creds from nsc)
  --nats-tls-ca <pem>             TIDEGATE_NATS_TLS_CA; --nats-tls-cert/--nats-tls-key for a client certificate

Readings in InfluxDB instead of SQLite (docs/influxdb.md; each also from its environment variable):
  --store sqlite|influx           TIDEGATE_STORE (default sqlite)
  --influx-url <url>              TIDEGATE_INFLUX_URL, e.g. http://127.0.0.1:8086
  --influx-api v1|v2              TIDEGATE_INFLUX_API: v2 /api/v2/write (2.x, 3.x, Cloud, 1.8+; default), v1 /write (1.x)
  --influx-db <name>              TIDEGATE_INFLUX_DB: v1 database or v2 bucket (default tidegate)
  --influx-org <org>              TIDEGATE_INFLUX_ORG (v2)
  --influx-token-file <file>      or TIDEGATE_INFLUX_TOKEN (v2; v1 compatibility endpoints)
  --influx-user <name>            TIDEGATE_INFLUX_USER (v1), with the password in TIDEGATE_INFLUX_PASSWORD or
  --influx-password-file <file>
  --influx-retention-days <n>     TIDEGATE_INFLUX_RETENTION_DAYS (v1): create the database and a default policy

Single sign-on through an OpenID Connect provider (docs/security.md; each also from its environment variable):
  --oidc-issuer <url>             TIDEGATE_OIDC_ISSUER: the provider's issuer URL; turns single sign-on on
  --oidc-client-id <id>           TIDEGATE_OIDC_CLIENT_ID
  --oidc-client-secret-file <f>   or TIDEGATE_OIDC_CLIENT_SECRET (none: a public client, PKCE only)
  --oidc-redirect-url <url>       TIDEGATE_OIDC_REDIRECT_URL: https://<this dashboard>/api/v1/auth/oidc/callback
  --oidc-scopes "<scopes>"        TIDEGATE_OIDC_SCOPES (default "openid profile email")
  --oidc-name <text>              TIDEGATE_OIDC_NAME: the login button says "Sign in with <text>"
  --oidc-role-claim <claim>       TIDEGATE_OIDC_ROLE_CLAIM: groups or roles in the id_token (default groups)
  --oidc-roles <value=role,…>     TIDEGATE_OIDC_ROLES: e.g. tidegate-admins=admin,plant-ops=operator
  --oidc-default-role <role>      TIDEGATE_OIDC_DEFAULT_ROLE: role for unmapped users, or none to refuse them (default)`;

const parseFlags = () =>
  parseArgs({
    allowPositionals: true,
    options: {
      ...collectorFlags,
      help: { type: "boolean", short: "h" },
      version: { type: "boolean" },
    },
  });

/** A command line the collector cannot read: said, with the usage, and exit 2 (not the service started). */
function usageError(message: string): void {
  console.error(`tidegate-collector: ${message}\n\n${USAGE}`);
  process.exitCode = 2;
}

async function main() {
  const [command] = process.argv.slice(2);
  if (command === "release") return runReleaseCommand(process.argv.slice(3));
  if (command === "user" || command === "token") {
    const args = process.argv.slice(2);
    const at = args.indexOf("--data-dir");
    const dataDir = at >= 0 ? args[at + 1] : undefined;
    const options = parseCollectorOptions({ "data-dir": dataDir });
    process.exitCode = await runAuthCommand(args, () => openCollectorAuth(options));
    return;
  }
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags();
  } catch (err) {
    // A mistyped flag is the caller's: named, with the usage, not a stack trace.
    return usageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0) return usageError(`unknown command '${positionals.join(" ")}'`);
  if (values.help) return void console.log(USAGE);
  if (values.version) return void console.log(VERSION);
  const options = parseCollectorOptions(values);
  await serveCollector(options);
}

main().catch((err) => {
  const { text, exitCode } = formatCliError(err);
  console.error(text);
  process.exit(exitCode);
});
