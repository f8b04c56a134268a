import { DEFAULT_API_RATE_LIMITS, RATE_LIMIT_SETTING_HELP } from "@tidegate/http-kit";
import { readSecretFile } from "@tidegate/node-kit";
import { TidegateError } from "@tidegate/protocol";
import { z } from "zod";
import { checkInfluxOptions, INFLUX_FLAGS, INFLUX_SECRETS, influxOptionFields } from "./influx-options.js";
import { checkOidcOptions, OIDC_FLAGS, OIDC_SECRETS, oidcOptionFields } from "./oidc-options.js";

/** Collector settings: from flags, with TIDEGATE_* environment variables as defaults (for containers). */
export const collectorOptionsSchema = z.object({
  nats: z.string().min(1).default("nats://127.0.0.1:4222").describe("comma-separated NATS server URLs"),
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  host: z.string().default("0.0.0.0"),
  dataDir: z.string().min(1).default("tidegate-data"),
  sitesFile: z.string().min(1).optional().describe("YAML: sites: { <site>: [gateway ids] }"),
  brandingFile: z
    .string()
    .min(1)
    .optional()
    .describe("YAML: the white-label product name, logo, colours and footer link"),
  retentionRawDays: z.coerce
    .number()
    .min(0)
    .default(30)
    .describe("days of raw readings kept; 0 keeps forever"),
  retention1mDays: z.coerce.number().min(0).default(365),
  retention1hDays: z.coerce.number().min(0).default(0),
  offlineAfterS: z.coerce
    .number()
    .positive()
    .default(30)
    .describe("a gateway not heard from for this long is offline: shown so, and sent no commands"),
  clockJumpMs: z.coerce
    .number()
    .int()
    .positive()
    .default(2000)
    .describe(
      "a gateway clock that moves this much more or less than ours between two heartbeats is flagged",
    ),
  apiRateLimit: z.coerce
    .number()
    .int()
    .min(0)
    .default(DEFAULT_API_RATE_LIMITS.perPrincipal)
    .describe(RATE_LIMIT_SETTING_HELP),
  streamReplicas: z.coerce
    .number()
    .int()
    .min(1)
    .max(5)
    .optional()
    .describe("copies of each JetStream stream; default 3 on a cluster, 1 on a single server"),
  ackWaitS: z.coerce
    .number()
    .int()
    .min(2)
    .max(600)
    .default(30)
    .describe(
      "seconds JetStream waits for a collector's ack before it hands a batch to another collector: how long the batches a crashed collector held stay unwritten (give every collector the same)",
    ),
  releasePublicKey: z
    .string()
    .min(1)
    .optional()
    .describe("PEM file of the fleet's ed25519 release key: uploads it did not sign are refused"),
  rolloutUpgradeTimeoutS: z.coerce
    .number()
    .int()
    .positive()
    .default(900)
    .describe(
      "a gateway not healthy on the new version this long after a rollout sent it the upgrade fails, and halts the rollout",
    ),
  natsUser: z.string().min(1).optional(),
  natsPassword: z.string().min(1).optional(),
  natsToken: z.string().min(1).optional(),
  natsNkeySeed: z.string().min(1).optional(),
  natsCreds: z.string().min(1).optional(),
  natsTlsCa: z.string().min(1).optional(),
  natsTlsCert: z.string().min(1).optional(),
  natsTlsKey: z.string().min(1).optional(),
  ...influxOptionFields,
  ...oidcOptionFields,
});
export type CollectorOptions = z.infer<typeof collectorOptionsSchema>;

export class OptionsError extends TidegateError {
  override name = "OptionsError";
  readonly code = "options.invalid";
}

/** NATS credentials and TLS from flags and environment; secrets only from the environment or a file. */
const NATS_SECURITY_FLAGS = {
  natsUser: ["nats-user", "TIDEGATE_NATS_USER"],
  natsCreds: ["nats-creds", "TIDEGATE_NATS_CREDS"],
  natsTlsCa: ["nats-tls-ca", "TIDEGATE_NATS_TLS_CA"],
  natsTlsCert: ["nats-tls-cert", "TIDEGATE_NATS_TLS_CERT"],
  natsTlsKey: ["nats-tls-key", "TIDEGATE_NATS_TLS_KEY"],
} as const;
/** Secrets are never flags (they would show in `ps`): an environment variable, or a `*-file` flag. */
const NATS_SECRETS = {
  natsPassword: ["nats-password-file", "TIDEGATE_NATS_PASSWORD"],
  natsToken: ["nats-token-file", "TIDEGATE_NATS_TOKEN"],
  natsNkeySeed: ["nats-nkey-seed-file", "TIDEGATE_NATS_NKEY_SEED"],
} as const;
export const natsSecurityFlagNames = [
  ...Object.values(NATS_SECURITY_FLAGS).map(([flag]) => flag),
  ...Object.values(NATS_SECRETS).map(([flag]) => flag),
];
/** The store flags (--store, --influx-*), for the CLI's parser. */
export const storeFlagNames = [...Object.values(INFLUX_FLAGS), ...Object.values(INFLUX_SECRETS)].map(
  ([flag]) => flag,
);
/** The single sign-on flags (--oidc-*), for the CLI's parser. */
export const oidcFlagNames = [...Object.values(OIDC_FLAGS), ...Object.values(OIDC_SECRETS)].map(
  ([flag]) => flag,
);

/** The service's flags, as node:util parseArgs takes them: every one a string that parseCollectorOptions reads. */
export const collectorFlags = Object.fromEntries(
  [
    "nats",
    "port",
    "host",
    "data-dir",
    "sites",
    "branding",
    "retention-raw-days",
    "retention-1m-days",
    "retention-1h-days",
    "offline-after-s",
    "clock-jump-ms",
    "api-rate-limit",
    "stream-replicas",
    "ack-wait-s",
    "release-public-key",
    "rollout-upgrade-timeout-s",
    ...natsSecurityFlagNames,
    ...storeFlagNames,
    ...oidcFlagNames,
  ].map((flag) => [flag, { type: "string" as const }]),
);

export function parseCollectorOptions(
  flags: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): CollectorOptions {
  const merged = {
    nats: flags.nats ?? env.TIDEGATE_NATS_URL,
    port: flags.port ?? env.TIDEGATE_HTTP_PORT,
    host: flags.host ?? env.TIDEGATE_HTTP_HOST,
    dataDir: flags["data-dir"] ?? env.TIDEGATE_DATA_DIR,
    sitesFile: flags.sites ?? env.TIDEGATE_SITES_FILE,
    brandingFile: flags.branding ?? env.TIDEGATE_BRANDING_FILE,
    retentionRawDays: flags["retention-raw-days"] ?? env.TIDEGATE_RETENTION_RAW_DAYS,
    retention1mDays: flags["retention-1m-days"] ?? env.TIDEGATE_RETENTION_1M_DAYS,
    retention1hDays: flags["retention-1h-days"] ?? env.TIDEGATE_RETENTION_1H_DAYS,
    offlineAfterS: flags["offline-after-s"] ?? env.TIDEGATE_OFFLINE_AFTER_S,
    clockJumpMs: flags["clock-jump-ms"] ?? env.TIDEGATE_CLOCK_JUMP_MS,
    apiRateLimit: flags["api-rate-limit"] ?? env.TIDEGATE_API_RATE_LIMIT,
    streamReplicas: flags["stream-replicas"] ?? env.TIDEGATE_STREAM_REPLICAS,
    ackWaitS: flags["ack-wait-s"] ?? env.TIDEGATE_ACK_WAIT_S,
    releasePublicKey: flags["release-public-key"] ?? env.TIDEGATE_RELEASE_PUBLIC_KEY,
    rolloutUpgradeTimeoutS: flags["rollout-upgrade-timeout-s"] ?? env.TIDEGATE_ROLLOUT_UPGRADE_TIMEOUT_S,
    ...Object.fromEntries(
      Object.entries({ ...NATS_SECURITY_FLAGS, ...INFLUX_FLAGS, ...OIDC_FLAGS }).map(
        ([key, [flag, name]]) => [key, flags[flag] ?? env[name]],
      ),
    ),
    ...Object.fromEntries(
      Object.entries({ ...NATS_SECRETS, ...INFLUX_SECRETS, ...OIDC_SECRETS }).map(([key, [flag, name]]) => [
        key,
        typeof flags[flag] === "string"
          ? readSecretFile(flags[flag] as string, `--${flag}`, (m) => new OptionsError(m))
          : env[name],
      ]),
    ),
  };
  const parsed = collectorOptionsSchema
    .superRefine(checkInfluxOptions)
    .superRefine(checkOidcOptions)
    .safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) =>
        `  --${String(i.path[0])
          .replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
          .replace(/(\d)/, "-$1")}: ${i.message}`,
    );
    throw new OptionsError(`invalid collector options\n${lines.join("\n")}`);
  }
  return parsed.data;
}
