import { z } from "zod";
import { gatewayIdSchema } from "./reading.js";
import { upgradeStatusSchema } from "./release.js";
import { parseWire } from "./wire-error.js";

export const HEARTBEAT_VERSION = 1;

export const sourceHealthSchema = z.object({
  device: z.string(),
  status: z.enum(["ok", "degraded", "failing", "starting"]),
  lastError: z.string().optional(),
  lastLatencyMs: z.number().optional(),
  successRate: z.number().min(0).max(1),
  /** Failed reads since start, by kind: timeout, exception, corrupt, connection. */
  errors: z.record(z.string(), z.number().int().nonnegative()).optional(),
});
export type SourceHealth = z.infer<typeof sourceHealthSchema>;

/** Published every few seconds on tidegate.status.<gateway>; the collector keeps the latest per gateway. */
export const heartbeatSchema = z.object({
  v: z.literal(HEARTBEAT_VERSION),
  gateway: gatewayIdSchema,
  version: z.string(),
  ts: z.number().int(),
  uptimeS: z.number().nonnegative(),
  backlog: z.number().int().nonnegative(),
  oldestUnsentAgeMs: z.number().nonnegative().nullable(),
  lastSeq: z.number().int().nonnegative(),
  /** The buffer's epoch; seqs are unique per (gateway, epoch). */
  epoch: z.number().int().nonnegative().default(0),
  /** Every seq up to this one was acknowledged by JetStream or dropped. */
  ackedSeq: z.number().int().nonnegative().default(0),
  dropped: z.record(z.string(), z.number().int().nonnegative()),
  /** Seq ranges the agent dropped (buffer bounds), newest last; the collector tells them from missing ones. */
  droppedRanges: z.array(z.tuple([z.number().int().positive(), z.number().int().positive()])).default([]),
  uplinkConnected: z.boolean(),
  /** Conditions an operator must look at (disk full, corrupt buffer moved aside). */
  alarms: z.array(z.object({ code: z.string(), message: z.string(), since: z.number() })).default([]),
  sources: z.array(sourceHealthSchema),
  /** Alerts the gateway's edge rules hold raised right now. */
  activeAlerts: z
    .array(
      z.object({
        rule: z.string(),
        device: z.string(),
        severity: z.enum(["info", "warning", "critical"]),
        since: z.number(),
        message: z.string(),
      }),
    )
    .default([]),
  /** The latest software upgrade this gateway was asked for, while it is under way and after. */
  upgrade: upgradeStatusSchema.optional(),
});
export type Heartbeat = z.infer<typeof heartbeatSchema>;

export function encodeHeartbeat(hb: Heartbeat): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(hb));
}

export function decodeHeartbeat(data: Uint8Array | string): Heartbeat {
  return parseWire(heartbeatSchema, data, "heartbeat");
}
