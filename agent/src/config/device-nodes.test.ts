import { describe, expect, it } from "vitest";
import { parseConfig } from "./load.js";

const config = (device: string) => `
gateway: plant-7
devices:
  - ${device}
`;
const browsed = (extra = "") =>
  config(
    `{ id: press-1, profile: local/press-1, transport: { type: opcua, endpoint: "opc.tcp://plc:4840" }, nodes: [{ id: temperature, name: Motor temperature, unit: "°C", browsePath: Machine/Motor/Temperature, namespace: "urn:tidegate:machine" }, { id: speed, name: Spindle speed, nodeId: s=Machine.SpindleSpeed, namespace: "urn:tidegate:machine" }]${extra} }`,
  );

describe("an OPC UA device's own nodes", () => {
  it("make a profile named by the device's profile, found like a bundled one", () => {
    const { profiles, config } = parseConfig(browsed(), "/etc/tidegate/agent.yaml");
    const profile = profiles.get("local/press-1");
    expect(profile).toMatchObject({ kind: "opcua", namespace: "urn:tidegate:machine" });
    expect(profile?.points.map((p) => p.id)).toEqual(["temperature", "speed"]);
    expect(config.devices[0]?.nodes?.[0]).toMatchObject({
      browsePath: "Machine/Motor/Temperature",
      scale: 1,
    });
  });

  it("may not take a profile id that exists", () => {
    const text = browsed().replace("local/press-1", "generic/opcua-machine");
    expect(() => parseConfig(text, "/etc/tidegate/agent.yaml")).toThrow(
      /at devices\.0\.profile: 'generic\/opcua-machine' is a profile already; .*local\/press-1/,
    );
  });

  it("name their namespace each, and a point's id once", () => {
    const text = browsed().replace(', namespace: "urn:tidegate:machine" }]', " }]");
    expect(() => parseConfig(text, "/etc/tidegate/agent.yaml")).toThrow(
      /at devices\.0\.nodes\.1\.namespace: namespace: each node names its namespace URI/,
    );
    const twice = browsed().replace("id: speed", "id: temperature");
    expect(() => parseConfig(twice, "/etc/tidegate/agent.yaml")).toThrow(/devices\.0\.nodes/);
  });

  it("are for OPC UA devices only", () => {
    const text = config(
      `{ id: m1, profile: local/m1, transport: { type: tcp, host: 127.0.0.1, port: 502 }, nodes: [{ id: a, name: A, nodeId: i=1, namespace: "urn:x" }] }`,
    );
    expect(() => parseConfig(text, "/etc/tidegate/agent.yaml")).toThrow(
      /at devices\.0\.nodes: nodes: are for OPC UA devices/,
    );
  });
});
