import { readFileSync } from "node:fs";
import { topicPatternError } from "@tidegate/profiles";
import { deviceIdSchema } from "@tidegate/protocol";
import { z } from "zod";
import { resolveSecret, SecretError, type SecretRef, secretSchema } from "../../config/secrets.js";

/**
 * The agent config's `mqtt:` section. Secrets (passwords, the client key) may be written inline, or
 * as `{ file: path }` / `{ env: NAME }` so they stay out of the config file; `resolveSecret` reads them
 * when the source starts, and says which one is missing.
 */

export { resolveSecret, SecretError, type SecretRef, secretSchema };

/** An MQTT topic filter for an ACL: `+` whole levels, `#` the whole last level. */
const aclFilterSchema = z
  .string()
  .min(1)
  .superRefine((f, ctx) => {
    const problem = f.includes("{") ? "braces are not allowed in an ACL filter" : topicPatternError(f);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

const userSchema = z
  .object({
    username: z.string().min(1),
    password: secretSchema,
    /** Filters this user may publish to, e.g. "shellies/ht-1/#". */
    publish: z.array(aclFilterSchema).default([]),
    /** Filters this user may subscribe to (devices that take commands: "cmnd/plug-1/#"). */
    subscribe: z.array(aclFilterSchema).default([]),
  })
  .strict();
export type MqttUserConfig = z.infer<typeof userSchema>;

const aclSchema = z
  .object({
    publish: z.array(aclFilterSchema).default(["#"]),
    subscribe: z.array(aclFilterSchema).default([]),
  })
  .strict();

export const embeddedBrokerSchema = z
  .object({
    host: z.string().min(1).default("0.0.0.0"),
    /** 0 picks a free port (tests). */
    port: z.number().int().min(0).max(65535).default(1883),
    users: z.array(userSchema).default([]),
    /** Lets clients without username connect; they get the `anonymous` ACL. Off: plant networks are shared. */
    allowAnonymous: z.boolean().default(false),
    anonymous: aclSchema.default({ publish: ["#"], subscribe: [] }),
    /** Serve MQTT over TLS (mqtts) instead of plain TCP: devices on a shared network cannot read passwords. */
    tls: z
      .object({
        /** PEM file of the broker's certificate (with its chain). */
        cert: z.string().min(1),
        /** The certificate's private key: a PEM file path, `{ file }` or `{ env }` (PEM text). */
        key: secretSchema,
        /** PEM file of the CA that signs device certificates; with requireClientCert, only those connect. */
        ca: z.string().min(1).optional(),
        requireClientCert: z.boolean().default(false),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.tls?.requireClientCert && !b.tls.ca)
      ctx.addIssue({
        code: "custom",
        path: ["tls", "ca"],
        message: "requireClientCert needs the CA that signs the device certificates",
      });
    const seen = new Set<string>();
    b.users.forEach((u, i) => {
      if (seen.has(u.username))
        ctx.addIssue({
          code: "custom",
          path: ["users", i, "username"],
          message: `duplicate user '${u.username}'`,
        });
      seen.add(u.username);
    });
    if (b.users.length === 0 && !b.allowAnonymous)
      ctx.addIssue({
        code: "custom",
        path: ["users"],
        message:
          "no users and allowAnonymous is false: no device could connect; add users or allow anonymous",
      });
  });
export type EmbeddedBrokerConfig = z.infer<typeof embeddedBrokerSchema>;

export const externalBrokerSchema = z
  .object({
    url: z
      .string()
      .regex(/^(mqtt|mqtts|tcp|ssl|tls|ws|wss):\/\/[^/]+/, "expected mqtt://host:port or mqtts://host:port"),
    username: z.string().min(1).optional(),
    password: secretSchema.optional(),
    /** PEM file of the CA that signed the broker's certificate (a private plant CA). */
    ca: z.string().min(1).optional(),
    /** PEM file of this gateway's client certificate, for brokers that require one. */
    cert: z.string().min(1).optional(),
    /** The client certificate's private key: a PEM file path, `{ file }` or `{ env }` (PEM text). */
    key: secretSchema.optional(),
    clientId: z.string().min(1).max(128).optional(),
    /** false accepts any broker certificate: only for a first test, never in production. */
    rejectUnauthorized: z.boolean().default(true),
    keepaliveS: z.number().int().min(5).max(3600).default(30),
  })
  .strict()
  .superRefine((e, ctx) => {
    if ((e.cert === undefined) !== (e.key === undefined))
      ctx.addIssue({
        code: "custom",
        path: [e.cert === undefined ? "cert" : "key"],
        message: "a client certificate needs both cert and key",
      });
    if (e.password !== undefined && e.username === undefined)
      ctx.addIssue({ code: "custom", path: ["username"], message: "a password needs a username" });
  });
export type ExternalBrokerConfig = z.infer<typeof externalBrokerSchema>;

export const mqttDeviceSchema = z
  .object({
    /** An MQTT profile id (kind: mqtt), e.g. "shelly/ht-gen1". */
    profile: z.string().min(1),
    /** Fixed device id; otherwise each `{device}` topic level seen becomes a device. */
    device: deviceIdSchema.optional(),
    /** With `device`: the `{device}` level the device really publishes under (default: `device` itself). */
    topicDevice: z
      .string()
      .regex(/^[^/+#]+$/, "one topic level, without '/', '+' or '#'")
      .optional(),
    /** Levels put before the profile's topics, e.g. "plant/line-2" for devices under plant/line-2/tele/... */
    topicPrefix: z
      .string()
      .regex(/^[^+#{}]*$/, "literal levels only: no '+', '#' or braces")
      .default(""),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.topicDevice !== undefined && d.device === undefined)
      ctx.addIssue({ code: "custom", path: ["device"], message: "topicDevice needs a fixed device id" });
  });
export type MqttDeviceConfig = z.infer<typeof mqttDeviceSchema>;

export const mqttConfigSchema = z
  .object({
    broker: z
      .object({ embedded: embeddedBrokerSchema.optional(), external: externalBrokerSchema.optional() })
      .strict()
      .superRefine((b, ctx) => {
        if ((b.embedded === undefined) === (b.external === undefined))
          ctx.addIssue({
            code: "custom",
            message: "give exactly one of embedded (a broker on this gateway) or external (url of a broker)",
          });
      }),
    devices: z.array(mqttDeviceSchema).default([]),
    /** Devices discovered from topics are capped, so a misbehaving publisher cannot grow memory without bound. */
    maxDevices: z.number().int().min(1).max(100_000).default(1000),
  })
  .strict()
  .superRefine((c, ctx) => {
    const fixed = new Map<string, number>();
    c.devices.forEach((d, i) => {
      if (d.device === undefined) return;
      if (fixed.has(d.device))
        ctx.addIssue({
          code: "custom",
          path: ["devices", i, "device"],
          message: `device '${d.device}' is already devices.${fixed.get(d.device)}`,
        });
      fixed.set(d.device, i);
    });
  });
export type MqttConfig = z.infer<typeof mqttConfigSchema>;
export type MqttConfigInput = z.input<typeof mqttConfigSchema>;

function readPem(path: string, where: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new SecretError(`${where}: cannot read file ${path} (${code}); fix the path or its permissions`);
  }
}

/** What mqtt.js needs besides the url, with every file and secret read. */
export interface ResolvedExternal {
  url: string;
  username?: string;
  password?: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  clientId?: string;
  rejectUnauthorized: boolean;
  keepaliveS: number;
}

export function resolveExternal(
  e: ExternalBrokerConfig,
  where = "mqtt.broker.external",
  env: NodeJS.ProcessEnv = process.env,
): ResolvedExternal {
  const out: ResolvedExternal = {
    url: e.url,
    rejectUnauthorized: e.rejectUnauthorized,
    keepaliveS: e.keepaliveS,
  };
  if (e.username !== undefined) out.username = e.username;
  if (e.password !== undefined) out.password = resolveSecret(e.password, `${where}.password`, env);
  if (e.ca !== undefined) out.ca = readPem(e.ca, `${where}.ca`);
  if (e.cert !== undefined) out.cert = readPem(e.cert, `${where}.cert`);
  if (e.key !== undefined)
    out.key =
      typeof e.key === "string"
        ? readPem(e.key, `${where}.key`)
        : Buffer.from(resolveSecret(e.key, `${where}.key`, env));
  if (e.clientId !== undefined) out.clientId = e.clientId;
  return out;
}

export interface ResolvedUser {
  username: string;
  password: string;
  publish: string[];
  subscribe: string[];
}

export interface ResolvedBrokerTls {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
  requireClientCert: boolean;
}

/** The embedded broker's certificate, key and CA, read from their files or secrets. */
export function resolveBrokerTls(
  b: EmbeddedBrokerConfig,
  where = "mqtt.broker.embedded",
  env: NodeJS.ProcessEnv = process.env,
): ResolvedBrokerTls | undefined {
  if (!b.tls) return undefined;
  const key =
    typeof b.tls.key === "string"
      ? readPem(b.tls.key, `${where}.tls.key`)
      : Buffer.from(resolveSecret(b.tls.key, `${where}.tls.key`, env));
  return {
    cert: readPem(b.tls.cert, `${where}.tls.cert`),
    key,
    ...(b.tls.ca ? { ca: readPem(b.tls.ca, `${where}.tls.ca`) } : {}),
    requireClientCert: b.tls.requireClientCert,
  };
}

export function resolveUsers(
  b: EmbeddedBrokerConfig,
  where = "mqtt.broker.embedded",
  env: NodeJS.ProcessEnv = process.env,
): ResolvedUser[] {
  return b.users.map((u, i) => ({
    username: u.username,
    password: resolveSecret(u.password, `${where}.users.${i}.password`, env),
    publish: u.publish,
    subscribe: u.subscribe,
  }));
}
