import { z } from "zod";
import { gatewayIdSchema } from "./reading.js";
import { parseWire } from "./wire-error.js";

/** Alerts travel on their own stream, so they never wait behind a telemetry backlog. */
export const ALERTS_STREAM = "TIDEGATE_ALERTS";
export const ALERTS_SUBJECTS = "tidegate.alerts.>";
export const ALERTS_DURABLE = "tidegate-collector-alerts";

export const alertEventSchema = z.object({
  v: z.literal(1),
  gateway: gatewayIdSchema,
  rule: z.string().min(1),
  device: z.string().min(1),
  point: z.string().min(1),
  severity: z.enum(["info", "warning", "critical"]),
  /** "acked": an operator acknowledged the alert raised before it (it stays active until cleared). */
  state: z.enum(["raised", "cleared", "acked"]),
  at: z.number().int(),
  value: z.number().nullable(),
  message: z.string(),
});
export type AlertEventWire = z.infer<typeof alertEventSchema>;

export const encodeAlertEvent = (e: AlertEventWire): Uint8Array =>
  new TextEncoder().encode(JSON.stringify(e));
export const decodeAlertEvent = (data: Uint8Array | string): AlertEventWire =>
  parseWire(alertEventSchema, data, "alert event");

/** An alert event is the same event however often it is sent: JetStream and the collector drop repeats. */
export const alertMsgId = (e: AlertEventWire) =>
  `${e.gateway}:alert:${e.rule}:${e.device}:${e.state}:${e.at}`;
