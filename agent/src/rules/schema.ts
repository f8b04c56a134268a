import { ruleIdSchema } from "@tidegate/protocol";
import { z } from "zod";

const base = {
  id: ruleIdSchema,
  /** A profile point id: the rule watches it on every device that has it, unless `device` narrows it. */
  point: z.string().min(1),
  device: z.string().min(1).optional(),
  severity: z.enum(["info", "warning", "critical"]).default("warning"),
};

/**
 * Edge rules, evaluated on the gateway as readings arrive, so an alert is raised even while the
 * uplink is down. Each rule watches one point per device.
 */
export const ruleSchema = z.discriminatedUnion("type", [
  z
    .object({
      ...base,
      type: z.literal("threshold"),
      above: z.number().optional(),
      below: z.number().optional(),
      /** The value must come back this far inside the limit before the alert clears (no flapping). */
      hysteresis: z.number().nonnegative().default(0),
      /** The value must stay past the limit this long before the alert is raised. */
      forS: z.number().nonnegative().default(0),
    })
    .strict()
    .refine((r) => (r.above === undefined) !== (r.below === undefined), {
      message: "give exactly one of above or below",
      path: ["above"],
    }),
  z
    .object({
      ...base,
      type: z.literal("rate"),
      /** Largest change per second, either way, before the alert is raised. */
      maxPerS: z.number().positive(),
    })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal("stale"),
      afterS: z.number().positive().describe("no good reading for this long"),
    })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal("flatline"),
      forS: z.number().positive().describe("the value has not moved for this long (a stuck sensor)"),
      tolerance: z.number().nonnegative().default(0),
    })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal("anomaly"),
      /** How many standard deviations from the exponentially weighted mean raise the alert. */
      zScore: z.number().positive().default(4),
      /** Weight of each new reading in the mean and variance. */
      alpha: z.number().gt(0).lt(1).default(0.05),
      /** Readings to learn from before judging. */
      warmup: z.number().int().min(2).default(60),
    })
    .strict(),
]);
export type Rule = z.infer<typeof ruleSchema>;
