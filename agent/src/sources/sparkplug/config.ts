import { z } from "zod";
import { SPARKPLUG_ID } from "../../sparkplug/topic.js";
import { externalBrokerSchema } from "../mqtt/config.js";

/**
 * One entry of the agent config's `sparkplugSources:` — read the edge nodes of one Sparkplug B
 * group on a broker. Devices are not listed: each edge node's births say what it has.
 */
export const sparkplugSourceSchema = z
  .object({
    groupId: z
      .string()
      .min(1)
      .regex(SPARKPLUG_ID, "one MQTT topic level: no '/', '+' or '#'")
      .describe("the group to read: subscribes to spBv1.0/<groupId>/#"),
    broker: externalBrokerSchema,
    rebirthMinIntervalMs: z
      .number()
      .int()
      .min(100)
      .default(5000)
      .describe("at most one rebirth request (NCMD) per edge node in this time"),
  })
  .strict();
export type SparkplugSourceConfig = z.infer<typeof sparkplugSourceSchema>;
