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

/** A SunSpec profile's simulator with only some of its models in the chain, as a real device has. */
const withModels = (id: string, kept: number[]): Profile => {
  const p = profiles.get(id) as Profile;
  const keep = (m: number | undefined) => kept.includes(m ?? 0);
  const models = (p.sunspec?.models ?? []).filter((m) => keep(m.id));
  return {
    ...p,
    sunspec: { bases: [40000], models },
    points: p.points.filter((pt) => keep(pt.register.model)),
  };
};

async function identify(served: string | Profile, candidates: string[]) {
  const sim = await startModbusTcpSimulator({
    profile: typeof served === "string" ? (profiles.get(served) as Profile) : served,
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

  it("tells a SunSpec meter from a SunSpec inverter by the models after the common one", async () => {
    const candidates = ["sunspec/inverter", "sunspec/meter", "eastron/sdm630"];
    const meter = await identify(withModels("sunspec/meter", [1, 203]), candidates);
    const why = (r: typeof meter.ranked) => JSON.stringify(r.map((c) => [c.profile, c.score, c.evidence]));
    expect(meter.ranked[0]?.profile, why(meter.ranked)).toBe("sunspec/meter");
    expect(meter.ranked[0]?.evidence.map((e) => e.text)).toContain("the device's chain has model 203");
    const inverter = meter.ranked.find((c) => c.profile === "sunspec/inverter");
    expect(inverter?.evidence.map((e) => e.text)).toContainEqual(
      expect.stringMatching(/^the device's chain has none of models 101, 102, 103/),
    );
    const solar = await identify(withModels("sunspec/inverter", [1, 103, 160]), candidates);
    expect(solar.ranked[0]?.profile, why(solar.ranked)).toBe("sunspec/inverter");
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
