import { describe, expect, it } from "vitest";
// The contract: what the simulator encodes, the agent's codec (a different implementation) reads.
import { decodePayload } from "../../../agent/src/sparkplug/payload/codec.js";
import { decodeSparkplug, encodeSparkplug, SPARKPLUG_TYPE } from "./payload.js";

describe("the simulator's Sparkplug encoder", () => {
  it("writes payloads the agent's codec reads: births with properties, data by alias", () => {
    const birth = encodeSparkplug({
      timestamp: 10,
      seq: 1,
      metrics: [
        {
          name: "temperature",
          alias: 3,
          timestamp: 9,
          datatype: SPARKPLUG_TYPE.Double,
          doubleValue: 21.5,
          properties: { keys: ["engUnit"], values: [{ type: SPARKPLUG_TYPE.String, stringValue: "°C" }] },
        },
        { name: "alarm", alias: 4, datatype: SPARKPLUG_TYPE.Boolean, booleanValue: false },
      ],
    });
    expect(decodePayload(birth)).toEqual({
      timestamp: 10,
      seq: 1,
      metrics: [
        {
          name: "temperature",
          alias: 3,
          timestamp: 9,
          datatype: 10,
          value: 21.5,
          properties: { engUnit: "°C" },
        },
        { name: "alarm", alias: 4, datatype: 11, value: false },
      ],
    });
    const data = encodeSparkplug({ seq: 2, metrics: [{ alias: 3, doubleValue: 22 }] });
    expect(decodePayload(data)).toEqual({ seq: 2, metrics: [{ alias: 3, value: 22 }] });
  });

  it("reads the rebirth command it answers", () => {
    const ncmd = encodeSparkplug({
      metrics: [{ name: "Node Control/Rebirth", datatype: SPARKPLUG_TYPE.Boolean, booleanValue: true }],
    });
    expect(decodeSparkplug(ncmd).metrics).toEqual([
      { name: "Node Control/Rebirth", datatype: 11, booleanValue: true },
    ]);
  });
});
