import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { appendDevices, DEVICES_DIR, readDeviceFiles, writeDeviceFile } from "./devices-dir.js";
import { loadConfigFile } from "./load.js";

const config = `
gateway: plant-7
buffer: { path: ":memory:" }
devices:
  # the meter in the hall
  - id: meter-1
    profile: eastron/sdm120
    transport: { type: tcp, host: 127.0.0.1, port: 5020 }
`;
const device = (id: string, extra = "") =>
  `id: ${id}\nprofile: sonbest/xy-md02\ntransport: { type: tcp, host: 127.0.0.1, port: 5021 }\n${extra}`;

let dir: string;
let file: string;
let devicesDir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-devices-d-"));
  file = join(dir, "agent.yaml");
  devicesDir = join(dir, DEVICES_DIR);
  writeFileSync(file, config);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("devices.d beside the config file", () => {
  it("is optional: no folder, only the file's devices", () => {
    const loaded = loadConfigFile(file);
    expect(loaded.config.devices.map((d) => d.id)).toEqual(["meter-1"]);
    expect(loaded.deviceOrigins).toEqual({ "meter-1": file });
  });

  it("adds one device per file, in file-name order, defaults filled by the same schema, and says where each came from", () => {
    mkdirSync(devicesDir);
    writeFileSync(join(devicesDir, "b-climate.yaml"), device("climate-2"));
    writeFileSync(join(devicesDir, "a-climate.yml"), device("climate-1", "unitId: 4\n"));
    writeFileSync(join(devicesDir, "notes.txt"), "not a device");
    const loaded = loadConfigFile(file);
    expect(loaded.config.devices.map((d) => d.id)).toEqual(["meter-1", "climate-1", "climate-2"]);
    expect(loaded.config.devices[1]).toMatchObject({ unitId: 4, pollIntervalMs: 1000, retries: 1 });
    expect(loaded.deviceOrigins).toEqual({
      "meter-1": file,
      "climate-1": join(devicesDir, "a-climate.yml"),
      "climate-2": join(devicesDir, "b-climate.yaml"),
    });
  });

  it("refuses the same device id in two files, naming both", () => {
    mkdirSync(devicesDir);
    writeFileSync(join(devicesDir, "x.yaml"), device("meter-1"));
    expect(() => loadConfigFile(file)).toThrow(
      `device id 'meter-1' is in both ${file} (devices.0) and ${join(devicesDir, "x.yaml")}`,
    );
    rmSync(join(devicesDir, "x.yaml"));
    writeFileSync(join(devicesDir, "c1.yaml"), device("climate"));
    writeFileSync(join(devicesDir, "c2.yaml"), device("climate"));
    expect(() => loadConfigFile(file)).toThrow(
      `device id 'climate' is in both ${join(devicesDir, "c1.yaml")} and ${join(devicesDir, "c2.yaml")}`,
    );
  });

  it("names the device file and the path inside it for a schema or profile error", () => {
    mkdirSync(devicesDir);
    const bad = join(devicesDir, "bad.yaml");
    writeFileSync(bad, device("climate-1").replace("port: 5021", 'port: "x"'));
    expect(() => loadConfigFile(file)).toThrow(
      new RegExp(`in ${bad} at transport\\.port: Invalid input: expected number`),
    );
    writeFileSync(bad, device("climate-1").replace("sonbest/xy-md02", "acme/none"));
    expect(() => loadConfigFile(file)).toThrow(
      new RegExp(`in ${bad} at profile: unknown profile 'acme/none'`),
    );
    writeFileSync(bad, "- id: a\n- id: b\n");
    expect(() => loadConfigFile(file)).toThrow(/bad\.yaml: expected one device .* found a list/);
    writeFileSync(bad, "id: [unclosed\n");
    expect(() => loadConfigFile(file)).toThrow(/bad\.yaml: not valid YAML/);
  });

  it("writes a device file that reads back as the same device, and undoes it aside", () => {
    const undo = writeDeviceFile(devicesDir, parse(device("climate-9")), "added by a test");
    const [one] = readDeviceFiles(devicesDir);
    expect(one?.file).toBe(join(devicesDir, "climate-9.yaml"));
    expect(one?.data).toMatchObject({ id: "climate-9", transport: { port: 5021 } });
    undo();
    expect(readDeviceFiles(devicesDir)).toEqual([]);
  });

  it("appends devices to a config text with its comments kept, also when it has none yet", () => {
    const text = appendDevices(config, [parse(device("climate-1"))]);
    expect(text).toContain("# the meter in the hall");
    expect((parse(text) as { devices: { id: string }[] }).devices.map((d) => d.id)).toEqual([
      "meter-1",
      "climate-1",
    ]);
    const bare = appendDevices("gateway: g\n", [{ id: "a" }]);
    expect(parse(bare)).toEqual({ gateway: "g", devices: [{ id: "a" }] });
    const empty = appendDevices("gateway: g\ndevices: []\n", [{ id: "a" }]);
    expect(parse(empty)).toEqual({ gateway: "g", devices: [{ id: "a" }] });
  });
});
