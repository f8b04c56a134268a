import { loadProfiles, type Profile } from "@tidegate/profiles";
import { startModbusTcpSimulator } from "@tidegate/simulators";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createBus } from "../sources/modbus/bus.js";
import { probeDevice } from "./probe-device.js";

// probe against a real Modbus TCP simulator on loopback.

const log = pino({ level: "silent" });
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("probeDevice", () => {
  it("reads within the profile's read limits: a meter answering 50 registers and no holes has no failed block", async () => {
    const em340 = loadProfiles().get("carlo-gavazzi/em340") as Profile;
    const sim = await startModbusTcpSimulator({ profile: em340, port: 0, tickMs: 3_600_000, seed: 2 });
    cleanups.push(() => sim.close());
    sim.set("voltage_l1_n", 230.2);
    const bus = createBus({ type: "tcp", host: "127.0.0.1", port: sim.port }, log);
    cleanups.push(() => bus.close());
    const result = await probeDevice(bus, em340, 1, 1000);
    expect(result.failures).toEqual([]);
    expect(result.points.map((p) => p.id).sort()).toEqual(em340.points.map((p) => p.id).sort());
    expect(result.points.find((p) => p.id === "voltage_l1_n")).toMatchObject({ value: "230.2" });
  });
});
