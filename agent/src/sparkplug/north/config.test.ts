import { describe, expect, it } from "vitest";
import { parseConfig } from "../../config/load.js";

const base = `
gateway: plant-7
devices: []
`;

describe("sparkplug: in the agent config", () => {
  it("is off unless configured, and fills defaults when it is", () => {
    expect(parseConfig(base, "/etc/tidegate/agent.yaml").config.sparkplug).toBeUndefined();
    const { config } = parseConfig(
      `${base}sparkplug:\n  groupId: plant\n  broker: { url: "mqtts://uns.example:8883", ca: certs/ca.pem, username: gw, password: { env: SPB_PASSWORD } }\n`,
      "/etc/tidegate/agent.yaml",
    );
    expect(config.sparkplug).toMatchObject({
      groupId: "plant",
      historyMax: 100_000,
      historyBatch: 500,
      broker: { url: "mqtts://uns.example:8883", ca: "/etc/tidegate/certs/ca.pem", rejectUnauthorized: true },
    });
    expect(config.sparkplug?.edgeNodeId).toBeUndefined();
  });

  it("names the path of an id that cannot be one topic level", () => {
    expect(() =>
      parseConfig(
        `${base}sparkplug:\n  groupId: plant/2\n  broker: { url: "mqtt://b:1883" }\n`,
        "agent.yaml",
      ),
    ).toThrow(/at sparkplug\.groupId: one MQTT topic level: no '\/', '\+' or '#'/);
    expect(() => parseConfig(`${base}sparkplug:\n  groupId: plant\n`, "agent.yaml")).toThrow(
      /at sparkplug\.broker: Invalid input: expected object, received undefined/,
    );
  });
});
