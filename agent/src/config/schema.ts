import { hostname } from "node:os";
import { brandingSchema, DEFAULT_API_RATE_LIMITS, RATE_LIMIT_SETTING_HELP } from "@tidegate/http-kit";
import { opcuaPointSchema, readGapSchema } from "@tidegate/profiles";
import { deviceIdSchema, gatewayIdSchema } from "@tidegate/protocol";
import { z } from "zod";
import { notifyTargetSchema } from "../notify/schema.js";
import { ruleSchema } from "../rules/schema.js";
import { serialTransportSchema } from "../sources/line/transport.js";
import { mqttConfigSchema } from "../sources/mqtt/config.js";
import { opcuaTransportSchema } from "../sources/opcua/config.js";
import { sparkplugSourceSchema } from "../sources/sparkplug/config.js";
import { sparkplugNorthSchema } from "../sparkplug/north/config.js";
import { secretSchema } from "./secrets.js";
import { CONFIG_VERSION } from "./versions.js";

/** Default gateway id: the host name, lowered and reduced to the subject-safe alphabet. */
export function defaultGatewayId(): string {
  return (
    hostname()
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "gateway"
  );
}

const SIZE_UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KIB: 1024,
  MIB: 1024 ** 2,
  GIB: 1024 ** 3,
};

/** A size in bytes, or with a unit: "500MB", "2 GiB". */
export const sizeSchema = z.union([
  z.number().int().positive(),
  z
    .string()
    .regex(/^\d+(\.\d+)?\s*(B|KB|MB|GB|KiB|MiB|GiB)$/i, 'expected a size like "500MB" or "2GiB"')
    .transform((s) => {
      const [, n, unit] = /^(\d+(?:\.\d+)?)\s*(\w+)$/.exec(s) as RegExpExecArray;
      return Math.round(Number(n) * (SIZE_UNITS[(unit as string).toUpperCase()] ?? 1));
    }),
]);

const interFrameDelayMs = z
  .number()
  .int()
  .min(0)
  .max(1000)
  .optional()
  .describe(
    "quiet time between two requests on this bus; default: 3.5 characters at the baud rate, at least 2 ms",
  );

const modbusTcpTransportSchema = z
  .object({
    type: z.literal("tcp"),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(502),
  })
  .strict();

/** Modbus RTU on a serial line (RS-485 adapter). Devices with the same `port` share one bus. */
const modbusRtuTransportSchema = z
  .object({
    type: z.literal("rtu"),
    port: z
      .string()
      .min(1)
      .describe("serial device; prefer the stable /dev/serial/by-id/... path over /dev/ttyUSB0"),
    baudRate: z.number().int().positive().default(9600),
    parity: z.enum(["none", "even", "odd"]).default("none"),
    dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
    stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
    interFrameDelayMs,
  })
  .strict();

/** RTU frames over a TCP socket (serial device servers). Devices with the same host and port share one bus. */
const modbusRtuOverTcpTransportSchema = z
  .object({
    type: z.literal("rtu-over-tcp"),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    interFrameDelayMs,
  })
  .strict();

export const transportSchema = z.discriminatedUnion("type", [
  modbusTcpTransportSchema,
  modbusRtuTransportSchema,
  modbusRtuOverTcpTransportSchema,
  serialTransportSchema,
  opcuaTransportSchema,
]);
export type TransportConfig = z.infer<typeof transportSchema>;
/** The transports Modbus devices use (serial-line and OPC UA devices have their own). */
export type ModbusTransport = Exclude<TransportConfig, { type: "serial" | "opcua" }>;

export const deviceSchema = z
  .object({
    id: deviceIdSchema,
    profile: z.string().describe("profile id, e.g. eastron/sdm120 (see firmware-profiles/)"),
    transport: transportSchema,
    unitId: z
      .number()
      .int()
      .min(0)
      .max(255)
      .optional()
      .describe("Modbus unit/slave id; default from the profile"),
    pollIntervalMs: z.number().int().min(100).default(1000),
    timeoutMs: z.number().int().min(50).default(1000),
    retries: z
      .number()
      .int()
      .min(0)
      .max(5)
      .default(1)
      .describe("extra tries of a read that timed out or came back corrupt, before it counts as failed"),
    maxGap: readGapSchema
      .optional()
      .describe(
        "unused registers allowed inside one coalesced read; default the profile's defaults.maxGap, else 10",
      ),
    points: z.array(z.string()).optional().describe("poll only these point ids; default all"),
    nodes: z
      .array(opcuaPointSchema)
      .min(1)
      .optional()
      .describe(
        "OPC UA devices picked in the browser: their variables as points (browse path or NodeId, namespace URI); they make a profile of the device's own, named by `profile` (e.g. local/press-1)",
      ),
    silenceMs: z
      .number()
      .int()
      .min(1000)
      .optional()
      .describe(
        "serial line devices: report the device failing when no line arrives for this long (default 30 s)",
      ),
  })
  .strict();
export type DeviceConfig = z.infer<typeof deviceSchema>;

export const configSchema = z
  .object({
    version: z.literal(CONFIG_VERSION).describe("config format version; older ones are read with a warning"),
    gateway: gatewayIdSchema.default(defaultGatewayId),
    http: z
      .object({
        port: z.number().int().min(0).max(65535).default(8090),
        host: z.string().default("0.0.0.0"),
        auth: z
          .object({
            anonymous: z
              .enum(["none", "viewer"])
              .default("none")
              .describe(
                "viewer: anyone on the network may read the dashboard without signing in (trusted panels); acting still needs a login",
              ),
            path: z
              .string()
              .optional()
              .describe(
                "SQLite file of users, API tokens and the audit log; default auth.db next to the buffer file",
              ),
          })
          .strict()
          .default({ anonymous: "none" }),
        rateLimit: z
          .number()
          .int()
          .min(0)
          .default(DEFAULT_API_RATE_LIMITS.perPrincipal)
          .describe(RATE_LIMIT_SETTING_HELP),
      })
      .strict()
      .default({
        port: 8090,
        host: "0.0.0.0",
        auth: { anonymous: "none" },
        rateLimit: DEFAULT_API_RATE_LIMITS.perPrincipal,
      }),
    nats: z
      .object({
        servers: z.array(z.string()).min(1).default(["nats://127.0.0.1:4222"]),
        heartbeatIntervalMs: z.number().int().min(500).default(5000),
        // How this gateway proves who it is: one of user/password, token, nkey seed or creds file.
        user: z.string().min(1).optional(),
        password: secretSchema.optional(),
        token: secretSchema.optional(),
        nkeySeed: secretSchema
          .optional()
          .describe("the nkey seed (SU…), e.g. { file: /etc/tidegate/gateway.nk }"),
        credsFile: z.string().min(1).optional().describe(".creds file from nsc (JWT auth)"),
        tls: z
          .object({
            ca: z.string().min(1).optional().describe("CA certificate (PEM) that signed the server's"),
            cert: z
              .string()
              .min(1)
              .optional()
              .describe("client certificate (PEM), when the server asks for one"),
            key: z.string().min(1).optional().describe("the client certificate's key (PEM)"),
          })
          .strict()
          .optional(),
      })
      .strict()
      .default({ servers: ["nats://127.0.0.1:4222"], heartbeatIntervalMs: 5000 }),
    buffer: z
      .object({
        path: z.string().default("tidegate-buffer.db").describe("SQLite file, relative to the config file"),
        commitIntervalMs: z
          .number()
          .int()
          .min(0)
          .max(10_000)
          .default(200)
          .describe("a crash loses at most this window of readings"),
        synchronous: z.enum(["FULL", "NORMAL"]).default("NORMAL"),
        maxSize: sizeSchema
          .default(1024 ** 3)
          .describe("unsent readings kept on disk before whenFull applies"),
        maxAgeHours: z
          .number()
          .positive()
          .default(24 * 7)
          .describe("unsent readings older than this are dropped and counted"),
        whenFull: z.enum(["drop-oldest", "reject-new"]).default("drop-oldest"),
      })
      .strict()
      .default({
        path: "tidegate-buffer.db",
        commitIntervalMs: 200,
        synchronous: "NORMAL",
        maxSize: 1024 ** 3,
        maxAgeHours: 24 * 7,
        whenFull: "drop-oldest",
      }),
    uplink: z
      .object({
        batchSize: z.number().int().min(1).max(10_000).default(500),
        lingerMs: z
          .number()
          .int()
          .min(0)
          .default(0)
          .describe("extra wait for a batch to fill; the commit interval already groups readings"),
        maxInFlight: z
          .number()
          .int()
          .min(1)
          .max(256)
          .default(8)
          .describe("publishes awaiting their PubAck at once"),
        backfillRatePerS: z
          .number()
          .int()
          .min(0)
          .default(0)
          .describe(
            "after an outage the backlog drains at most this fast (readings/s; 0 = no limit); fresh readings always go first",
          ),
      })
      .strict()
      .default({ batchSize: 500, lingerMs: 0, maxInFlight: 8, backfillRatePerS: 0 }),
    branding: brandingSchema
      .optional()
      .describe(
        "white-label: the local view's product name, logo (relative to this file), colours and footer link",
      ),
    upgrade: z
      .object({
        publicKey: z
          .string()
          .min(1)
          .optional()
          .describe(
            "PEM file of the fleet's ed25519 release key (relative to this file); unset: remote upgrades are refused",
          ),
        versionsDir: z
          .string()
          .min(1)
          .optional()
          .describe(
            "folder of installed versions with its `current` link; default: the one this program runs from (install.sh's layout)",
          ),
        healthyWithinS: z
          .number()
          .int()
          .min(10)
          .max(3600)
          .default(120)
          .describe(
            "after an upgrade's restart, a gateway not healthy (uplink connected, no device failing) this long goes back to the previous version",
          ),
      })
      .strict()
      .default({ healthyWithinS: 120 })
      .describe("remote software upgrades (agent.upgrade), from the collector's releases bucket"),
    profilesDirs: z
      .array(z.string())
      .default([])
      .describe("extra folders of device profiles, relative to the config file"),
    devices: z.array(deviceSchema).default([]),
    rules: z
      .array(ruleSchema)
      .default([])
      .describe("edge rules: threshold, rate, stale, flatline, anomaly; alerts are kept on the gateway"),
    alerts: z
      .object({
        path: z
          .string()
          .optional()
          .describe("SQLite file of alert events; default alerts.db next to the buffer file"),
        notify: z
          .array(notifyTargetSchema)
          .default([])
          .describe("send every alert raise, clear and acknowledgement to webhooks or MQTT topics"),
      })
      .strict()
      .default({ notify: [] }),
    mqtt: mqttConfigSchema
      .optional()
      .describe(
        "MQTT devices: an embedded broker on this gateway, or an external broker, and the device profiles",
      ),
    sparkplugSources: z
      .array(sparkplugSourceSchema)
      .optional()
      .describe(
        "read Sparkplug B edge nodes: one entry per group and broker; devices come from their births",
      ),
    sparkplug: sparkplugNorthSchema
      .optional()
      .describe(
        "publish the readings as a Sparkplug B edge node to an MQTT broker, beside the JetStream uplink (off when absent)",
      ),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.devices.forEach((d, i) => {
      if (seen.has(d.id))
        ctx.addIssue({
          code: "custom",
          path: ["devices", i, "id"],
          message: `duplicate device id '${d.id}'`,
        });
      seen.add(d.id);
    });
    cfg.alerts.notify.forEach((t, i) => {
      if (t.type === "mqtt" && !cfg.mqtt)
        ctx.addIssue({
          code: "custom",
          path: ["alerts", "notify", i, "type"],
          message:
            "mqtt notifications need mqtt.broker (an embedded broker or an external one); configure it or use a webhook",
        });
    });
  });
export type AgentConfig = z.infer<typeof configSchema>;
