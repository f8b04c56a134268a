import { z } from "zod";

/** Where readings go: the embedded SQLite store, or InfluxDB (the registry stays in SQLite). */
export const influxOptionFields = {
  store: z.enum(["sqlite", "influx"]).default("sqlite"),
  influxUrl: z
    .url({ protocol: /^https?$/, error: "expected an http(s) URL like http://127.0.0.1:8086" })
    .optional(),
  influxApi: z.enum(["v1", "v2"]).default("v2"),
  influxDb: z.string().min(1).default("tidegate").describe("v1 database, or v2 bucket"),
  influxOrg: z.string().min(1).optional(),
  influxUser: z.string().min(1).optional(),
  influxToken: z.string().min(1).optional(),
  influxPassword: z.string().min(1).optional(),
  influxRetentionDays: z.coerce.number().min(0).optional(),
};

/** Option key -> [flag, environment variable]. */
export const INFLUX_FLAGS = {
  store: ["store", "TIDEGATE_STORE"],
  influxUrl: ["influx-url", "TIDEGATE_INFLUX_URL"],
  influxApi: ["influx-api", "TIDEGATE_INFLUX_API"],
  influxDb: ["influx-db", "TIDEGATE_INFLUX_DB"],
  influxOrg: ["influx-org", "TIDEGATE_INFLUX_ORG"],
  influxUser: ["influx-user", "TIDEGATE_INFLUX_USER"],
  influxRetentionDays: ["influx-retention-days", "TIDEGATE_INFLUX_RETENTION_DAYS"],
} as const;
/** Secrets are never flags: an environment variable, or a file named by the `*-file` flag. */
export const INFLUX_SECRETS = {
  influxToken: ["influx-token-file", "TIDEGATE_INFLUX_TOKEN"],
  influxPassword: ["influx-password-file", "TIDEGATE_INFLUX_PASSWORD"],
} as const;

type InfluxOptions = z.infer<z.ZodObject<typeof influxOptionFields>>;

/** Says which piece is missing for the InfluxDB store, and how to give it. */
export function checkInfluxOptions(o: InfluxOptions, ctx: z.RefinementCtx) {
  const issue = (path: keyof InfluxOptions, message: string) =>
    ctx.addIssue({ code: "custom", path: [path], message });
  if (o.store !== "influx") {
    if (o.influxUrl) issue("store", "--influx-url is set but the store is sqlite; add --store influx");
    return;
  }
  if (!o.influxUrl) issue("influxUrl", "required with --store influx (e.g. http://127.0.0.1:8086)");
  if (o.influxApi === "v2") {
    if (!o.influxOrg) issue("influxOrg", "required with --influx-api v2 (the InfluxDB organization)");
    if (!o.influxToken)
      issue("influxToken", "required with --influx-api v2: set TIDEGATE_INFLUX_TOKEN or --influx-token-file");
    if (o.influxRetentionDays !== undefined)
      issue("influxRetentionDays", "only with --influx-api v1; set a 2.x/3.x bucket's retention in InfluxDB");
  }
  if (o.influxUser && !o.influxPassword)
    issue(
      "influxPassword",
      "--influx-user needs a password: TIDEGATE_INFLUX_PASSWORD or --influx-password-file",
    );
  if (o.influxPassword && !o.influxUser) issue("influxUser", "a password was given without --influx-user");
}
