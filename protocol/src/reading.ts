import { z } from "zod";

/** Identifiers travel in NATS subjects and URLs, so they are kept to a safe alphabet. */
export const gatewayIdSchema = z
  .string()
  .regex(/^[a-z0-9-]+$/, "use lowercase letters, digits and '-' only (it becomes part of NATS subjects)");
export const deviceIdSchema = z.string().regex(/^[A-Za-z0-9_-]+$/, "use letters, digits, '_' and '-' only");
export const pointIdSchema = deviceIdSchema;
export const ruleIdSchema = deviceIdSchema;

export const qualitySchema = z.enum(["good", "bad", "uncertain"]);
export type Quality = z.infer<typeof qualitySchema>;

export const readingValueSchema = z.union([z.number(), z.boolean(), z.string()]);
export type ReadingValue = z.infer<typeof readingValueSchema>;

/**
 * One observation of one point. A failed read is a reading with quality "bad", value null
 * and a reason: never a fake value.
 */
export const readingSchema = z.object({
  ts: z.number().int().nonnegative(),
  device: deviceIdSchema,
  point: pointIdSchema,
  value: readingValueSchema.nullable(),
  quality: qualitySchema,
  reason: z.string().optional(),
});
export type Reading = z.infer<typeof readingSchema>;

/** A reading after the buffer committed it: seq is gap-free and increasing per gateway. */
export type SequencedReading = Reading & { seq: number };
