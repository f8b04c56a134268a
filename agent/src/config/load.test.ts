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

  it("resolves each file's paths on its own: a second config in another folder keeps none of the first's", () => {
    const first = parseConfig(valid, "/srv/one/agent.yaml").config;
    const second = parseConfig(valid, "/srv/two/agent.yaml").config;
    expect(first.http.auth.path).toBe("/srv/one/auth.db");
    expect(second.http.auth.path).toBe("/srv/two/auth.db");
    expect(second.alerts.path).toBe("/srv/two/alerts.db");
  });

  it("keeps parsed only the profiles its devices use; the library has every one, the config's own first", () => {
    const loaded = parseConfig(
      `${valid}  - { id: press-1, profile: local/press-1, transport: { type: opcua, endpoint: "opc.tcp://plc:4840" }, nodes: [{ id: speed, name: Speed, nodeId: i=1, namespace: "urn:x" }] }\n`,
      "/etc/tidegate/agent.yaml",
    );
    expect([...loaded.profiles.keys()].sort()).toEqual(["eastron/sdm120", "local/press-1"]);
    const all = loaded.library.all();
    expect(all.has("sonbest/xy-md02")).toBe(true);
    expect(all.get("local/press-1")).toBe(loaded.profiles.get("local/press-1"));
    expect(all.get("eastron/sdm120")).toBe(loaded.profiles.get("eastron/sdm120"));
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

  it("explains YAML aliases it cannot follow instead of crashing", () => {
    expect(() => parseConfig("devices: *nowhere\n", "agent.yaml")).toThrow(
      /^agent\.yaml: not valid YAML:\n {2}Unresolved alias/,
    );
    expect(() => parseConfig("devices: &d\n  - id: a\n    profile: *d\n", "agent.yaml")).toThrow(
      /^agent\.yaml: not valid YAML:\n {2}an alias \(\*name\) is used inside its own anchor/,
    );
    const ten = (x: string) => Array(10).fill(x).join(", ");
    const laughs = `a: &a [${ten("x")}]\nb: &b [${ten("*a")}]\nc: &c [${ten("*b")}]\nd: [${ten("*c")}]\n`;
    expect(() => parseConfig(laughs, "agent.yaml")).toThrow(
      /^agent\.yaml: not valid YAML:\n {2}Excessive alias count/,
    );
  });

  it("reads a YAML set as a config without keys instead of crashing", () => {
    expect(() => parseConfig("!!set { devices }\n", "agent.yaml")).toThrow(
      /^agent\.yaml: invalid config\n {2}at version: Invalid input: expected 1 \(found nothing\)/,
    );
  });

  it("names profilesDirs when a profiles folder cannot be read", () => {
    expect(() => parseConfig(`${valid}profilesDirs: [no-such-folder]\n`, "/etc/tidegate/agent.yaml")).toThrow(
      /^\/etc\/tidegate\/agent\.yaml: invalid config\n {2}at profilesDirs: ENOENT.*\/etc\/tidegate\/no-such-folder/,
    );
  });

  it("rejects device and rule ids outside the safe alphabet of NATS subjects and URLs", () => {
    expect(() => parseConfig(valid.replace("id: meter-1", "id: meter.1"), "agent.yaml")).toThrow(
      /at devices\.0\.id: use letters, digits, '_' and '-' only/,
    );
    const rule = `${valid}rules:\n  - { id: high volts, point: voltage, type: stale, afterS: 10 }\n`;
    expect(() => parseConfig(rule, "agent.yaml")).toThrow(
      /at rules\.0\.id: use letters, digits, '_' and '-' only/,
    );
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

  it("reads RTU devices on a serial bus with defaults for the line settings", () => {
    const rtu = `${valid}  - id: th-1
    profile: sonbest/xy-md02
    transport: { type: rtu, port: /dev/serial/by-id/usb-FTDI-if00-port0 }
    unitId: 2
  - id: meter-2
    profile: eastron/sdm120
    transport: { type: rtu-over-tcp, host: 10.0.0.9, port: 4001 }
`;
    const { config } = parseConfig(rtu, "agent.yaml");
    expect(config.devices[1]?.transport).toEqual({
      type: "rtu",
      port: "/dev/serial/by-id/usb-FTDI-if00-port0",
      baudRate: 9600,
      parity: "none",
      dataBits: 8,
      stopBits: 1,
    });
    expect(config.devices[1]?.retries).toBe(1);
    expect(config.devices[2]?.transport).toEqual({ type: "rtu-over-tcp", host: "10.0.0.9", port: 4001 });
  });

  it("rejects devices on one serial port with different line settings", () => {
    const clash = `${valid}  - id: a
    profile: sonbest/xy-md02
    transport: { type: rtu, port: /dev/ttyUSB0, baudRate: 9600 }
  - id: b
    profile: sonbest/xy-md02
    transport: { type: rtu, port: /dev/ttyUSB0, baudRate: 19200 }
`;
    expect(() => parseConfig(clash, "agent.yaml")).toThrow(
      /devices\.2\.transport\.baudRate: \/dev\/ttyUSB0 is shared with devices\.1 \(9600\); devices on one serial port must use the same baudRate \(found 19200\)/,
    );
  });

  it("checks rules: unique ids, points that exist, devices that exist", () => {
    const rules = `${valid}rules:
  - { id: hv, point: voltage, type: threshold, above: 250 }
  - { id: hv, point: voltage, type: stale, afterS: 10 }
  - { id: typo, point: volts, type: stale, afterS: 10 }
  - { id: nodev, point: voltage, device: meter-9, type: stale, afterS: 10 }
`;
    const err = (() => {
      try {
        parseConfig(rules, "agent.yaml");
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(err).toMatch(/at rules\.1\.id: rule id 'hv' is already rules\.0/);
    expect(err).toMatch(/at rules\.2\.point: no configured device has a point 'volts'/);
    expect(err).toMatch(/at rules\.3\.device: no device 'meter-9' in devices/);
  });
});
