import { loadProfiles, type Profile } from "@tidegate/profiles";
import { startModbusTcpSimulator } from "@tidegate/simulators";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createBus } from "../../sources/modbus/bus.js";
import { identifyDevice } from "./identify-device.js";

// Identify against simulated devices over real Modbus TCP on loopback.

const log = pino({ level: "silent" });
const profiles = loadProfiles();
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function identify(served: string, candidates: string[]) {
  const sim = await startModbusTcpSimulator({
    profile: profiles.get(served) as Profile,
    port: 0,
    tickMs: 3_600_000,
    seed: 3,
  });
  cleanups.push(() => sim.close());
  const bus = createBus({ type: "tcp", host: "127.0.0.1", port: sim.port }, log);
  cleanups.push(() => bus.close());
  return {
    sim,
    ranked: await identifyDevice(
      bus,
      1,
      candidates.map((id) => profiles.get(id) as Profile),
      { timeoutMs: 500 },
    ),
  };
}

describe("identify", { timeout: 30_000 }, () => {
  it("reads a SunSpec inverter's points where its chain puts them, and ranks the SunSpec profile first", async () => {
    const { ranked } = await identify("sunspec/inverter", ["eastron/sdm120", "sunspec/inverter"]);
    const [best] = ranked;
    expect(best?.profile).toBe("sunspec/inverter");
    expect(best?.evidence.map((e) => e.kind)).toContain("sunspec");
    // Model 1's manufacturer is a string at offset 0 of its model, far from 40000 + 0 as an address.
    const manufacturer = best?.values.find((v) => v.id === "m1_mn")?.value;
    expect(typeof manufacturer).toBe("string");
    expect(String(manufacturer).length).toBeGreaterThan(0);
  });

  it("ranks a temperature/humidity sensor's own profile above a meter's whose registers read zero there", async () => {
    const { ranked } = await identify("sonbest/xy-md02", [
      "carlo-gavazzi/em24",
      "sonbest/xy-md02",
      "eastron/sdm120",
    ]);
    expect(ranked[0]?.profile, JSON.stringify(ranked.map((c) => [c.profile, c.score, c.evidence]))).toBe(
      "sonbest/xy-md02",
    );
  });
});
