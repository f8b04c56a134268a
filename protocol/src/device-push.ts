import { z } from "zod";
import { deviceIdSchema, gatewayIdSchema } from "./reading.js";

/**
 * A device definition pushed from one gateway to others (`POST /api/v1/devices/push`, admin): the
 * collector asks the gateway it was made on for it (`device.export`) and sends each target a
 * `device.add` of its own, side by side; each target answers for itself.
 */
export const devicePushRequestSchema = z
  .object({
    from: z.object({ gateway: gatewayIdSchema, device: deviceIdSchema }).strict(),
    to: z.array(gatewayIdSchema).min(1).max(500).describe("the gateways to add the device to"),
    timeoutMs: z
      .number()
      .int()
      .min(1000)
      .max(120_000)
      .optional()
      .describe("how long each target waits for the device to come up before it rolls back"),
  })
  .strict();
export type DevicePushRequest = z.infer<typeof devicePushRequestSchema>;

/**
 * One target's outcome: `applied` (its new config version), `refused` (nothing changed: the device
 * or its profile is invalid there, the id is taken, the port is missing…), `rolled-back` (applied,
 * did not come up, the previous version runs again), `not-reached` (offline, unknown or not
 * listening: nothing was sent, nothing is queued), `no-answer` (sent, no reply in time: it may
 * still have been applied; its config history tells).
 */
export const PUSH_OUTCOMES = ["applied", "refused", "rolled-back", "not-reached", "no-answer"] as const;
export type PushOutcome = (typeof PUSH_OUTCOMES)[number];

export interface DevicePushTarget {
  gateway: string;
  outcome: PushOutcome;
  /** applied: the target's new config version. */
  version?: number;
  /** applied: whether the target lacked the profile and saved the one sent. */
  profileSaved?: boolean;
  /** Why it was not applied, in the target's (or the collector's) words. */
  error?: string;
}

export interface DevicePushAnswer {
  from: { gateway: string; device: string };
  /** The device's profile, sent along (absent for a device with its own OPC UA nodes). */
  profile?: string;
  results: DevicePushTarget[];
}
