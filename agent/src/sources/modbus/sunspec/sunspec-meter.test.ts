import { loadProfiles, type Profile } from "@tidegate/profiles";
import type { Reading } from "@tidegate/protocol";
import { startModbusTcpSimulator } from "@tidegate/simulators";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../../../../../test/e2e/helpers/wait.js";
import { deviceSchema } from "../../../config/schema.js";
import { createBus } from "../bus.js";
import { createDevicePoller } from "../device-poller.js";

// A SunSpec meter (common model and one meter model, as a real meter publishes) read through the
// sunspec/meter profile, over real Modbus TCP on loopback.

const log = pino({ level: "silent" });
const meter = loadProfiles().get("sunspec/meter") as Profile;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The profile as a device with only `kept` models in its chain serves it, at `base`. */
function device(kept: number[], base: number): Profile {
  const keep = (m: number | undefined) => kept.includes(m ?? 0);
  const models = (meter.sunspec?.models ?? []).filter((m) => keep(m.id));
  return {
    ...meter,
    sunspec: { bases: [base], models },
    points: meter.points.filter((p) => keep(p.register.model)),
  };
}

async function poll(served: Profile, points: string[]) {
  const sim = await startModbusTcpSimulator({ profile: served, port: 0, tickMs: 3_600_000, seed: 9 });
  cleanups.push(() => sim.close());
  const config = deviceSchema.parse({
    id: "meter-1",
    profile: meter.id,
    transport: { type: "tcp", host: "127.0.0.1", port: sim.port },
    pollIntervalMs: 100,
    timeoutMs: 500,
    points,
  });
  if (config.transport.type !== "tcp") throw new Error("not TCP");
  const bus = createBus(config.transport, log);
  cleanups.push(() => bus.close());
  const seen: Reading[] = [];
  const poller = createDevicePoller({
    device: config,
    profile: meter,
    bus,
    log,
    emit: (r) => seen.push(...r),
  });
  cleanups.push(() => poller.stop());
  poller.start();
  return { sim, seen, bus };
}

const latest = (seen: Reading[], point: string) => seen.findLast((r) => r.point === point);
const until = <T>(what: string, seen: Reading[], check: () => T | undefined | false) =>
  waitFor(() => `${what}; last readings: ${JSON.stringify(seen.slice(-6))}`, check, 15_000, 25);

describe("SunSpec meters", { timeout: 30_000 }, () => {
  it("reads a wye meter's model 203 where its chain puts it, with the device's scale factors", async () => {
    const served = device([1, 203], 40000);
    const { sim, seen, bus } = await poll(served, ["m203_phvpha", "m203_totwhimp", "m203_w", "m1_mn"]);
    sim.set("m203_v_sf", -1);
    sim.set("m203_phvpha", 231.4);
    sim.set("m203_totwh_sf", 1);
    sim.set("m203_totwhimp", 1_234_560);
    sim.set("m203_w", -1520);
    await until(
      "m203 values",
      seen,
      () =>
        latest(seen, "m203_phvpha")?.value === 231.4 &&
        latest(seen, "m203_totwhimp")?.value === 1_234_560 &&
        latest(seen, "m203_w")?.value === -1520,
    );
    // Model 203 starts after SunS and the common model (ID, L, 66): PhVphA is its offset 6, the
    // energy a uint32 at 44 in tens of Wh (TotWh_SF = 1), as the definition lays them out.
    const body = 40000 + 2 + (2 + 66) + 2;
    const v = await bus.request(1, 500, (c) => c.readHoldingRegisters(body + 6, 1));
    const wh = await bus.request(1, 500, (c) => c.readHoldingRegisters(body + 44, 2));
    expect(v[0]).toBe(2314);
    expect((wh[0] ?? 0) * 65536 + (wh[1] ?? 0)).toBe(123_456);
    expect(latest(seen, "m1_mn")?.quality).toBe("good");
  });

  it("reads a single-phase meter at base 0, and names the models it does not publish", async () => {
    const { sim, seen } = await poll(device([1, 201], 0), ["m201_a", "m203_a"]);
    sim.set("m201_a_sf", -2);
    sim.set("m201_a", 7.25);
    await until("m201_a = 7.25", seen, () => latest(seen, "m201_a")?.value === 7.25);
    await until("m203_a bad", seen, () => latest(seen, "m203_a")?.quality === "bad");
    expect(latest(seen, "m203_a")?.reason).toBe("the device publishes no SunSpec model 203");
  });

  it("reads an accumulator of 0 as SunSpec's not-implemented value, never as an energy", async () => {
    const { sim, seen } = await poll(device([1, 204], 40000), ["m204_totwhexp"]);
    sim.set("m204_totwhexp", 0);
    const r = await until(
      "a bad m204_totwhexp",
      seen,
      () => latest(seen, "m204_totwhexp")?.quality === "bad",
    );
    expect(r).toBe(true);
    expect(latest(seen, "m204_totwhexp")?.value).toBeNull();
  });
});
