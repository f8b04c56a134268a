import { z } from "zod";
import { pointBaseShape, profileIdSchema, profileSourceSchema, uniquePointIds } from "./schema.js";
import { checkPointBlocks } from "./source.js";

/**
 * What is wrong with a point's topic pattern, or undefined when it is usable. Checked here so a bad
 * profile fails when it loads, not when the first message arrives.
 * Rules: `{device}` is a whole level and appears at most once; `+` is a whole level; `#` is a whole,
 * last level; no other `{...}` placeholders.
 */
export function topicPatternError(pattern: string): string | undefined {
  const levels = pattern.split("/");
  let devices = 0;
  for (const [i, level] of levels.entries()) {
    if (level === "{device}") devices += 1;
    else if (level.includes("{") || level.includes("}"))
      return `'${level}': only {device} may appear in braces, and as a whole level (e.g. tele/{device}/SENSOR)`;
    else if (level.includes("+") && level !== "+") return `'${level}': '+' must be a whole level`;
    else if (level.includes("#") && (level !== "#" || i !== levels.length - 1))
      return `'${level}': '#' must be the whole last level`;
  }
  if (devices > 1) return "{device} may appear only once";
  return undefined;
}

/** A dot path into JSON: keys and array indexes, e.g. "ENERGY.Power" or "ENERGY.Power.0". */
export const jsonPathSchema = z
  .string()
  .min(1)
  .refine((p) => p.split(".").every((s) => s.length > 0), "empty segment: write keys joined by '.'");

/**
 * Devices that publish over MQTT (Tasmota, Shelly and the like). Each point names the topic it
 * arrives on, with `{device}` standing for the topic level that carries the device id, and where
 * in the payload its value is: a dot path into JSON, or the whole payload as a plain value.
 */
export const mqttPointSchema = z
  .object({
    ...pointBaseShape,
    /** Topic pattern, e.g. "tele/{device}/SENSOR"; `{device}` is one whole level; `+` and `#` allowed. */
    topic: z
      .string()
      .min(1)
      .superRefine((t, ctx) => {
        const error = topicPatternError(t);
        if (error) ctx.addIssue({ code: "custom", message: error });
      }),
    /** Dot path into a JSON payload (e.g. "ENERGY.Power", "ENERGY.Power.0" for an array); absent: the payload itself is the value. */
    json: jsonPathSchema.optional(),
    type: z.enum(["number", "string", "bool"]).default("number"),
  })
  .strict();
export type MqttPoint = z.infer<typeof mqttPointSchema>;

export const mqttProfileSchema = z
  .object({
    kind: z.literal("mqtt"),
    id: profileIdSchema,
    vendor: z.string(),
    model: z.string(),
    firmware: z.string().optional(),
    protocols: z.array(z.literal("mqtt")).min(1).default(["mqtt"]),
    source: profileSourceSchema,
    points: z.array(mqttPointSchema).min(1),
    /** Messages from the manual and the values they must decode to. */
    testdata: z
      .array(
        z
          .object({
            /** A concrete topic as the device publishes it (no wildcards). */
            topic: z.string().regex(/^[^+#{}]+$/, "a concrete topic: no '+', '#' or {device}"),
            payload: z.string(),
            /** Point id -> decoded value (after scale and offset). */
            values: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
          })
          .strict(),
      )
      .default([]),
  })
  .strict()
  .superRefine((p, ctx) => {
    const seen = uniquePointIds(p.points, ctx);
    checkPointBlocks(p, ctx);
    p.testdata.forEach((t, i) => {
      for (const id of Object.keys(t.values)) {
        if (!seen.has(id))
          ctx.addIssue({
            code: "custom",
            path: ["testdata", i, "values", id],
            message: `no point '${id}' in this profile`,
          });
      }
    });
  });
export type MqttProfile = z.infer<typeof mqttProfileSchema>;
