import { z } from "zod";
import { secretSchema } from "../config/secrets.js";

const severity = z.enum(["info", "warning", "critical"]);
const minSeverity = severity
  .default("info")
  .describe(
    "only alerts of this severity or worse are sent (acknowledgements and clears follow their alert)",
  );

const webhookTargetSchema = z
  .object({
    type: z.literal("webhook"),
    url: z
      .string()
      .url()
      .refine((u) => /^https?:\/\//i.test(u), "use an http:// or https:// URL")
      .describe("receives a POST of the alert event as JSON"),
    headers: z
      .record(z.string().regex(/^[A-Za-z0-9-]+$/, "a header name: letters, digits and '-'"), secretSchema)
      .optional()
      .describe("extra request headers, e.g. Authorization: { env: ALERT_WEBHOOK_TOKEN }"),
    minSeverity,
    timeoutMs: z.number().int().min(100).max(60_000).default(5000).describe("per attempt"),
  })
  .strict();

const mqttTargetSchema = z
  .object({
    type: z.literal("mqtt"),
    topic: z
      .string()
      .min(1)
      .refine((t) => !/[#+]/.test(t), "a topic to publish to cannot hold the wildcards + or #")
      .describe("may contain {gateway}, {rule}, {device} and {state}, e.g. tidegate/{gateway}/alerts/{rule}"),
    minSeverity,
    qos: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(1),
    retain: z.boolean().default(false),
  })
  .strict();

/**
 * Where the gateway sends alert events (raised, cleared, acked) as they happen: an HTTP webhook,
 * or a topic on the gateway's MQTT broker (the embedded one, or the external connection).
 */
export const notifyTargetSchema = z.discriminatedUnion("type", [webhookTargetSchema, mqttTargetSchema]);
export type NotifyTarget = z.infer<typeof notifyTargetSchema>;
export type WebhookTarget = z.infer<typeof webhookTargetSchema>;
export type MqttTarget = z.infer<typeof mqttTargetSchema>;
export type Severity = z.infer<typeof severity>;
