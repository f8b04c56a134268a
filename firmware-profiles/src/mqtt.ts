import { z } from "zod";
import { pointBaseShape, profileIdSchema, profileSourceSchema } from "./schema.js";

/**
 * Devices that publish over MQTT (Tasmota, Shelly and the like). Each point names the topic it
 * arrives on, with `{device}` standing for the topic level that carries the device id, and where
 * in the payload its value is: a dot path into JSON, or the whole payload as a plain value.
 */
export const mqttPointSchema = z
  .object({
    ...pointBaseShape,
    /** Topic pattern, e.g. "tele/{device}/SENSOR"; `{device}` is one whole level. */
    topic: z.string().min(1),
    /** Dot path into a JSON payload (e.g. "ENERGY.Power"); absent: the payload itself is the value. */
    json: z.string().min(1).optional(),
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
            topic: z.string(),
            payload: z.string(),
            values: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();
export type MqttProfile = z.infer<typeof mqttProfileSchema>;
