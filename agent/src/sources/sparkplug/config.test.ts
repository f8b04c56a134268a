import { describe, expect, it } from "vitest";
import { parseConfig } from "../../config/load.js";

describe("sparkplugSources: in the agent config", () => {
  it("takes a group and a broker, with a default rebirth interval", () => {
    const { config } = parseConfig(
      `sparkplugSources:\n  - groupId: plant\n    broker: { url: "mqtt://uns:1883", username: tidegate, password: { env: UNS_PASSWORD } }\n`,
      "agent.yaml",
    );
    expect(config.sparkplugSources).toEqual([
      {
        groupId: "plant",
        rebirthMinIntervalMs: 5000,
        broker: expect.objectContaining({ url: "mqtt://uns:1883", username: "tidegate" }),
      },
    ]);
  });

  it("names the path of a group id with a wildcard", () => {
    expect(() =>
      parseConfig(
        `sparkplugSources:\n  - groupId: "plant/#"\n    broker: { url: "mqtt://uns:1883" }\n`,
        "agent.yaml",
      ),
    ).toThrow(/at sparkplugSources\.0\.groupId: one MQTT topic level/);
  });
});
