import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfigFile, parseConfig } from "./load.js";

const valid = `
gateway: plant-7
devices:
  - id: meter-1
    profile: eastron/sdm120
    transport: { type: tcp, host: 127.0.0.1, port: 5020 }
`;

describe("agent config", () => {
  it("the shipped example is valid", () => {
    const { config } = loadConfigFile(fileURLToPath(new URL("../../config.example.yaml", import.meta.url)));
    expect(config.devices.map((d) => d.profile)).toEqual(["eastron/sdm120"]);
  });

  it("names the file when it cannot be read", () => {
    expect(() => loadConfigFile("/nonexistent/agent.yaml")).toThrow(
      /\/nonexistent\/agent\.yaml: cannot read config: ENOENT/,
    );
  });

  it("fills defaults for everything not given", () => {
    const { config, profiles } = parseConfig(valid, "/etc/tidegate/agent.yaml");
    expect(config.gateway).toBe("plant-7");
    expect(config.http.port).toBe(8090);
    expect(config.buffer).toMatchObject({
      commitIntervalMs: 200,
      synchronous: "NORMAL",
      path: "/etc/tidegate/tidegate-buffer.db",
    });
    expect(config.devices[0]).toMatchObject({
      pollIntervalMs: 1000,
      timeoutMs: 1000,
      transport: { port: 5020 },
    });
    expect(profiles.has("eastron/sdm120")).toBe(true);
  });

  it("names the file, the path, what was expected and what was found for a wrong type", () => {
    const bad = valid.replace("port: 5020", 'port: "fifty"');
    expect(() => parseConfig(bad, "agent.yaml")).toThrow(
      /^agent\.yaml: invalid config\n\s+at devices\.0\.transport\.port: Invalid input: expected number, received string \(found "fifty"\)/,
    );
  });

  it("names the path of an unknown device profile and lists the known ones", () => {
    const bad = valid.replace("eastron/sdm120", "eastron/sdm999");
    expect(() => parseConfig(bad, "agent.yaml")).toThrow(
      /agent\.yaml: invalid config\n\s+at devices\.0\.profile: unknown profile 'eastron\/sdm999'; known: .*eastron\/sdm120/,
    );
  });

  it("rejects unknown keys, which are usually typos", () => {
    const bad = valid.replace("gateway: plant-7", "gateway: plant-7\ngatway: x");
    expect(() => parseConfig(bad, "agent.yaml")).toThrow(/at \(root\): Unrecognized key: "gatway"/);
  });

  it("rejects a gateway id that cannot be a NATS subject token", () => {
    expect(() => parseConfig(valid.replace("plant-7", "Plant 7"), "agent.yaml")).toThrow(
      /at gateway: use lowercase letters/,
    );
  });

  it("reports YAML syntax errors with the file name", () => {
    expect(() => parseConfig("devices: [\n", "agent.yaml")).toThrow(/^agent\.yaml: not valid YAML/);
  });

  it("rejects duplicate device ids", () => {
    const dup = `${valid}  - id: meter-1\n    profile: eastron/sdm120\n    transport: { type: tcp, host: h }\n`;
    expect(() => parseConfig(dup, "agent.yaml")).toThrow(/devices\.1\.id: duplicate device id 'meter-1'/);
  });

  it("rejects a point id the profile does not have", () => {
    const bad = `${valid}    points: [voltage, volts]\n`;
    expect(() => parseConfig(bad, "agent.yaml")).toThrow(
      /devices\.0\.points\.1: profile eastron\/sdm120 has no point 'volts'/,
    );
  });
});
