import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Profile, parseProfile } from "@tidegate/profiles";
import type { Reading } from "@tidegate/protocol";
import { startModbusTcpSimulator } from "@tidegate/simulators";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../../../test/e2e/helpers/wait.js";
import { deviceSchema } from "../config/schema.js";
import { createBus } from "../sources/modbus/bus.js";
import { createDevicePoller } from "../sources/modbus/device-poller.js";
import { runProfileCommand } from "./profile.js";

// A register table typed from a manual the library had no profile for (Eastron SDM72D-M), turned
// into a profile by the CLI, checked, and then read over real Modbus TCP from the simulator.
const table = join(dirname(fileURLToPath(import.meta.url)), "testdata", "eastron-sdm72d-m.csv");
const meta = [
  "--id",
  "acme/sdm72",
  "--vendor",
  "Eastron",
  "--model",
  "SDM72D-M",
  "--title",
  "Eastron SDM72D-M user manual",
  "--url",
  "https://www.easymanua.ls/eastron/sdm72d-m/manual?p=14",
];
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "tidegate-profile-cli-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

describe("tidegate-agent profile", () => {
  it("from-csv writes a profile that check passes and the simulator serves to the poller", async () => {
    const dir = tempDir();
    const out = join(dir, "sdm72.yaml");
    const printed: string[] = [];
    expect(
      runProfileCommand(["from-csv", table, ...meta, "--baud", "9600", "--out", out], (l) => printed.push(l)),
    ).toBe(0);
    expect(printed).toEqual([`wrote ${out}; check it with: tidegate-agent profile check ${out}`]);
    expect(runProfileCommand(["check", out], (l) => printed.push(l))).toBe(0);
    expect(printed[1]).toBe(`${out}: acme/sdm72 is valid (15 points); 5 testdata values decode as stated`);

    const profile = parseProfile(readFileSync(out, "utf8"), out) as Profile;
    expect(profile.defaults).toEqual({ unitId: 1, baudRate: 9600 });
    const sim = await startModbusTcpSimulator({ profile, port: 0, tickMs: 3_600_000, seed: 7 });
    cleanups.push(() => sim.close());
    for (const t of profile.testdata) sim.set(t.point, t.value);
    const device = deviceSchema.parse({
      id: "sdm72",
      profile: profile.id,
      transport: { type: "tcp", host: "127.0.0.1", port: sim.port },
      pollIntervalMs: 100,
    });
    if (device.transport.type === "serial" || device.transport.type === "opcua")
      throw new Error("not a Modbus transport");
    const log = pino({ level: "silent" });
    const bus = createBus(device.transport, log);
    cleanups.push(() => bus.close());
    const readings: Reading[] = [];
    const poller = createDevicePoller({ device, profile, bus, log, emit: (r) => readings.push(...r) });
    cleanups.push(() => poller.stop());
    poller.start();
    const served = Object.entries(sim.current());
    expect(served).toHaveLength(15);
    await waitFor(
      () => `every point of the table read back; last: ${JSON.stringify(readings.slice(-15))}`,
      () => served.every(([point, value]) => readings.findLast((r) => r.point === point)?.value === value),
      20_000,
      25,
    );
    expect(readings.every((r) => r.quality === "good")).toBe(true);
    expect(sim.current().system_type).toBe(3);
  });

  it("from-csv without --out prints the YAML; errors name the row and column", () => {
    const dir = tempDir();
    const printed: string[] = [];
    expect(runProfileCommand(["from-csv", table, ...meta], (l) => printed.push(l))).toBe(0);
    expect(printed[0]).toMatch(/^# yaml-language-server[\s\S]*id: acme\/sdm72[\s\S]*ref: "30053"/);
    const bad = join(dir, "bad.csv");
    writeFileSync(bad, "Address,Name,Type\n30001,Voltage,float\n30003,Current,flaot\n");
    expect(() => runProfileCommand(["from-csv", bad, ...meta])).toThrow(
      new RegExp(
        `${bad}: the register table cannot become a profile\\n  row 3 \\("Current"\\), column type: 'flaot' is not a register type`,
      ),
    );
    expect(() => runProfileCommand(["from-csv", bad, "--id", "x/y"])).toThrow(/--vendor is required/);
    expect(() => runProfileCommand(["frobnicate"])).toThrow(/unknown profile command 'frobnicate'/);
  });

  it("check reports testdata that does not decode as stated, and exits 1", () => {
    const dir = tempDir();
    const file = join(dir, "wrong.yaml");
    writeFileSync(
      file,
      `id: acme/x
vendor: Acme
model: X
protocols: [modbus-tcp]
source: { title: t, url: "https://example.com/x.pdf" }
points:
  - { id: v, name: V, register: { ref: "30001", type: float32 } }
testdata:
  - { point: v, raw: [0x4366, 0x0000], value: 231 }
`,
    );
    const printed: string[] = [];
    expect(runProfileCommand(["check", file], (l) => printed.push(l))).toBe(1);
    expect(printed).toEqual([`${file}: testdata 0 (v): expected 231, decoded 230`]);
  });
});
