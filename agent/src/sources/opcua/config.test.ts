import { describe, expect, it } from "vitest";
import { parseConfig } from "../../config/load.js";

const config = (transport: string, profile = "generic/opcua-machine") => `
version: 1
devices:
  - id: press-1
    profile: ${profile}
    transport: ${transport}
`;

describe("OPC UA devices in the agent config", () => {
  it("fills subscription defaults", () => {
    const { config: c } = parseConfig(
      config("{ type: opcua, endpoint: opc.tcp://plc:4840 }"),
      "/etc/tg/agent.yaml",
    );
    expect(c.devices[0]?.transport).toMatchObject({
      type: "opcua",
      securityMode: "None",
      auth: { type: "anonymous" },
      read: "subscribe",
      samplingIntervalMs: 1000,
      queueSize: 10,
      keepAliveCount: 10,
    });
  });
  it("names the path and what was expected for a bad endpoint or policy", () => {
    expect(() => parseConfig(config("{ type: opcua, endpoint: http://plc }"), "agent.yaml")).toThrow(
      /agent\.yaml: invalid config\n\s+at devices\.0\.transport\.endpoint: expected opc\.tcp:\/\/host:port/,
    );
    expect(() =>
      parseConfig(
        config("{ type: opcua, endpoint: opc.tcp://plc, securityPolicy: Basic128Rsa15 }"),
        "agent.yaml",
      ),
    ).toThrow(/at devices\.0\.transport\.securityPolicy/);
  });
  it("refuses a Modbus profile on an OPC UA transport", () => {
    expect(() =>
      parseConfig(config("{ type: opcua, endpoint: opc.tcp://plc }", "eastron/sdm120"), "agent.yaml"),
    ).toThrow(/eastron\/sdm120 is a modbus profile; a opcua transport needs a opcua profile/);
  });
  it("resolves a user certificate and key beside the config file", () => {
    const { config: c } = parseConfig(
      config(
        "{ type: opcua, endpoint: opc.tcp://plc, auth: { type: certificate, cert: certs/user.pem, key: certs/user.key } }",
      ),
      "/etc/tg/agent.yaml",
    );
    expect(c.devices[0]?.transport).toMatchObject({
      auth: { cert: "/etc/tg/certs/user.pem", key: "/etc/tg/certs/user.key" },
    });
  });
});
