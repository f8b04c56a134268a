import { z } from "zod";
import { gatewayIdSchema } from "./reading.js";
import { releaseVersionSchema, upgradeStateSchema } from "./release.js";

/**
 * A staged rollout: one release to a set of gateways, a canary wave first, then waves that start
 * only while every upgraded gateway has stayed healthy for the soak time. The collector drives it
 * (collector/src/rollouts/); these are the shapes its API takes and answers.
 */

/** Which gateways: a list of ids (one is a list of one), the gateways of a site, or a share of the fleet. */
export const rolloutTargetSchema = z.union([
  z.object({ gateways: z.array(gatewayIdSchema).min(1).max(10_000) }).strict(),
  z.object({ site: z.string().min(1).max(200) }).strict(),
  z
    .object({
      percent: z.number().gt(0).max(100).describe("of the fleet, by gateway id order, rounded up"),
    })
    .strict(),
]);
export type RolloutTarget = z.infer<typeof rolloutTargetSchema>;

export const rolloutRequestSchema = z
  .object({
    version: releaseVersionSchema.describe("a release in the collector's releases bucket"),
    target: rolloutTargetSchema,
    /** Gateways upgraded first, alone. */
    canary: z.number().int().min(1).max(1000).default(1),
    /** Gateways per wave after the canary; default: all the rest in one wave. */
    waveSize: z.number().int().min(1).max(10_000).optional(),
    /** How long every upgraded gateway must stay healthy before the next wave starts. */
    soakS: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .default(300),
  })
  .strict();
export type RolloutRequest = z.infer<typeof rolloutRequestSchema>;
export type RolloutRequestInput = z.input<typeof rolloutRequestSchema>;

/**
 * Where one gateway of a rollout is: its upgrade's states (a refusal counts as failed), and
 * `pending` until it is sent (an offline one waits there).
 */
export const rolloutGatewayStateSchema = z.enum([
  "pending",
  ...upgradeStateSchema.exclude(["refused"]).options,
] as const);
export type RolloutGatewayState = z.infer<typeof rolloutGatewayStateSchema>;

export const ROLLOUT_STATES = ["running", "paused", "halted", "aborted", "done"] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];

export const rolloutGatewaySchema = z.object({
  id: gatewayIdSchema,
  /** 0 is the canary wave. */
  wave: z.number().int().nonnegative(),
  state: rolloutGatewayStateSchema,
  /** When the state was entered (collector clock). */
  since: z.number().int(),
  /** When agent.upgrade was sent; absent while pending. */
  sentAt: z.number().int().optional(),
  /** Since when it has been healthy without a break; the soak counts from here. */
  healthySince: z.number().int().optional(),
  /** Why it failed or rolled back, or why a pending one waits (offline). */
  error: z.string().optional(),
  note: z.string().optional(),
  /** While downloading: bytes received of `size`. */
  received: z.number().int().nonnegative().optional(),
  size: z.number().int().nonnegative().optional(),
  /** The version it ran when it was planned. */
  from: z.string().optional(),
});
export type RolloutGateway = z.infer<typeof rolloutGatewaySchema>;

export const rolloutSchema = z.object({
  id: z.string().min(1),
  version: releaseVersionSchema,
  target: rolloutTargetSchema,
  canary: z.number().int().min(1),
  waveSize: z.number().int().min(1),
  soakMs: z.number().int().nonnegative(),
  state: z.enum(ROLLOUT_STATES),
  /** Why it halted, was aborted or is done. */
  reason: z.string().optional(),
  /** Waves started so far (1: the canary only). */
  wavesStarted: z.number().int().nonnegative(),
  waves: z.number().int().positive(),
  createdAt: z.number().int(),
  createdBy: z.string().optional(),
  updatedAt: z.number().int(),
  gateways: z.array(rolloutGatewaySchema),
});
export type Rollout = z.infer<typeof rolloutSchema>;

export interface RolloutsAnswer {
  rollouts: Rollout[];
}
