import { z } from "zod";
import { externalBrokerSchema } from "../../sources/mqtt/config.js";
import { SPARKPLUG_ID } from "../topic.js";

const sparkplugId = z.string().min(1).regex(SPARKPLUG_ID, "one MQTT topic level: no '/', '+' or '#'");

/**
 * The agent config's `sparkplug:` section: publish this gateway's readings as a Sparkplug B edge
 * node, beside the JetStream uplink. Absent: off. The broker is given like an external MQTT broker
 * (url, username/password, CA, client certificate).
 */
export const sparkplugNorthSchema = z
  .object({
    groupId: sparkplugId.describe("Sparkplug group id: the first level under spBv1.0/"),
    edgeNodeId: sparkplugId.optional().describe("this gateway's edge node id; default the gateway id"),
    broker: externalBrokerSchema,
    historyMax: z
      .number()
      .int()
      .min(0)
      .max(1_000_000)
      .default(100_000)
      .describe(
        "readings kept in memory while the broker is unreachable, sent as historical metrics after the rebirth; the oldest go first when full (counted)",
      ),
    dcmdWrites: z
      .boolean()
      .default(false)
      .describe(
        "take DCMD writes to points their profile marks readwrite, with the checks of remote writes (type, min/max, byte order, read-back); off: DCMD is not subscribed",
      ),
    historyBatch: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(500)
      .describe("historical metrics per DDATA message"),
  })
  .strict();
export type SparkplugNorthConfig = z.infer<typeof sparkplugNorthSchema>;
export type SparkplugNorthConfigInput = z.input<typeof sparkplugNorthSchema>;
