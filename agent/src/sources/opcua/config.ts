import { z } from "zod";
import { secretSchema } from "../../config/secrets.js";

/**
 * A device read over OPC UA: `transport: { type: opcua, endpoint: opc.tcp://plc:4840, … }`.
 * Subscriptions are the default; `read: poll` reads every pollIntervalMs instead, for servers that
 * limit subscriptions or monitored items.
 */
export const opcuaSecurityPolicies = [
  "Basic256Sha256",
  "Aes128_Sha256_RsaOaep",
  "Aes256_Sha256_RsaPss",
] as const;

const authSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("anonymous") }).strict(),
  z.object({ type: z.literal("username"), username: z.string().min(1), password: secretSchema }).strict(),
  z
    .object({
      type: z.literal("certificate"),
      cert: z.string().min(1).describe("PEM file of the user certificate the server knows"),
      key: secretSchema.describe(
        "the certificate's private key: a PEM file path, { file } or { env } (PEM text)",
      ),
    })
    .strict(),
]);

export const opcuaTransportSchema = z
  .object({
    type: z.literal("opcua"),
    endpoint: z.string().regex(/^opc\.tcp:\/\/[^/]+/, "expected opc.tcp://host:port[/path]"),
    securityMode: z.enum(["None", "Sign", "SignAndEncrypt"]).default("None"),
    securityPolicy: z
      .enum(opcuaSecurityPolicies)
      .default("Basic256Sha256")
      .describe("with Sign or SignAndEncrypt; ignored with securityMode None"),
    auth: authSchema.default({ type: "anonymous" }),
    read: z.enum(["subscribe", "poll"]).default("subscribe"),
    samplingIntervalMs: z
      .number()
      .int()
      .min(0)
      .default(1000)
      .describe("how often the server samples each variable (subscriptions)"),
    publishingIntervalMs: z.number().int().min(10).default(1000),
    queueSize: z.number().int().min(1).max(1000).default(10).describe("values the server queues per item"),
    deadband: z
      .object({ type: z.enum(["absolute", "percent"]), value: z.number().nonnegative() })
      .strict()
      .optional()
      .describe("numeric points: changes smaller than this are not reported (percent of the EURange)"),
    keepAliveCount: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(10)
      .describe(
        "publishing intervals without data before the server sends a keep-alive; a subscription silent for 3 keep-alives is re-created",
      ),
  })
  .strict();
export type OpcuaTransport = z.infer<typeof opcuaTransportSchema>;

/** What the commissioning browser connects to: a device's transport before it is one. */
export const endpointTargetSchema = opcuaTransportSchema.pick({
  endpoint: true,
  securityMode: true,
  securityPolicy: true,
  auth: true,
});
export type EndpointTarget = z.infer<typeof endpointTargetSchema>;

export const endpointBrowseSchema = endpointTargetSchema
  .extend({ node: z.string().min(1).max(4096).default("i=85") })
  .strict();
