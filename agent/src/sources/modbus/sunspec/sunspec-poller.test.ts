import { loadProfiles, type Profile } from "@tidegate/profiles";
import type { Reading } from "@tidegate/protocol";
import { type ModbusTcpSimulator, startModbusTcpSimulator } from "@tidegate/simulators";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../../../../../test/e2e/helpers/wait.js";
import { deviceSchema } from "../../../config/schema.js";
import { probeDevice } from "../../../probe/probe-device.js";
import { createBus, type ModbusBus } from "../bus.js";
import { createDevicePoller } from "../device-poller.js";

// The poller walking a simulated SunSpec chain over real Modbus TCP on loopback.

const log = pino({ level: "silent" });
const profiles = loadProfiles();
const sunspec = profiles.get("sunspec/inverter") as Profile;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function simulate(profile: Profile, port = 0): Promise<ModbusTcpSimulator> {
  const sim = await startModbusTcpSimulator({ profile, port, tickMs: 3_600_000, seed: 5 });
  cleanups.push(() => sim.close());
  return sim;
}

function poll(port: number, points?: string[]): { seen: Reading[]; bus: ModbusBus } {
  const device = deviceSchema.parse({
    id: "inv-1",
    profile: sunspec.id,
    transport: { type: "tcp", host: "127.0.0.1", port },
    pollIntervalMs: 100,
    timeoutMs: 500,
    ...(points ? { points } : {}),
  });
  if (device.transport.type !== "tcp") throw new Error("not TCP");
  const bus = createBus(device.transport, log);
  cleanups.push(() => bus.close());
  const seen: Reading[] = [];
  const poller = createDevicePoller({ device, profile: sunspec, bus, log, emit: (r) => seen.push(...r) });
  cleanups.push(() => poller.stop());
  poller.start();
  return { seen, bus };
}

const latest = (seen: Reading[], point: string) => seen.findLast((r) => r.point === point);
const until = <T>(what: string, seen: Reading[], check: () => T | undefined | false) =>
  waitFor(() => `${what}; last readings: ${JSON.stringify(seen.slice(-6))}`, check, 15_000, 25);

describe("SunSpec model discovery", { timeout: 30_000 }, () => {
  it("finds model 103 in the chain and applies its scale factor to the raw register", async () => {
    const sim = await simulate(sunspec);
    sim.set("m103_a_sf", -2);
    sim.set("m103_a", 12.34);
    const { seen, bus } = poll(sim.port);
    await until("m103_a = 12.34", seen, () => latest(seen, "m103_a")?.value === 12.34);
    // Model 103's first register in the simulated chain: SunS, model 1 (66), 101 and 102 (50 each).
    const a = 40000 + 2 + (2 + 66) + 2 * (2 + 50) + 2;
    const raw = await bus.request(1, 500, (c) => c.readHoldingRegisters(a, 5));
    expect([raw[0], raw[4]]).toEqual([1234, 0xfffe]);
  });

  it("reads SunSpec's not-implemented value as a bad reading with the reason, never a value", async () => {
    const sim = await simulate(sunspec);
    sim.set("m103_st", 0xffff);
    sim.set("m1_mn", "Acme Solar");
    const { seen } = poll(sim.port);
    const st = await until(
      "a bad m103_st",
      seen,
      () => latest(seen, "m103_st")?.quality === "bad" && latest(seen, "m103_st"),
    );
    expect(st).toMatchObject({
      value: null,
      reason: expect.stringMatching(/0xFFFF is the device's "not implemented" value/),
    });
    expect(latest(seen, "m1_mn")).toMatchObject({ value: "Acme Solar", quality: "good" });
  });

  it("walks the chain again after a reconnect: another layout, and points the device no longer has", async () => {
    const first = await simulate(sunspec);
    first.set("m103_w", 1500);
    const { seen } = poll(first.port, ["m101_a", "m103_w", "m1_sn"]);
    await until(
      "m103_w = 1500 and a good m101_a",
      seen,
      () => latest(seen, "m103_w")?.value === 1500 && latest(seen, "m101_a")?.quality === "good",
    );
    const port = first.port;
    await first.close();
    // The device comes back with its chain at 50000 and without models 101 and 102.
    const kept = new Set([1, 103, 160]);
    const restarted: Profile = {
      ...sunspec,
      sunspec: { bases: [50000], models: (sunspec.sunspec?.models ?? []).filter((m) => kept.has(m.id)) },
      points: sunspec.points.filter((p) => kept.has(p.register.model ?? 0)),
    };
    const second = await simulate(restarted, port);
    second.set("m103_w", 2750);
    await until("m103_w = 2750 from the new layout", seen, () => latest(seen, "m103_w")?.value === 2750);
    await until("m101_a bad", seen, () => latest(seen, "m101_a")?.quality === "bad");
    expect(latest(seen, "m101_a")?.reason).toBe("the device publishes no SunSpec model 101");
    // The factor m103_w needs is read, but only the points the config names are emitted.
    expect(new Set(seen.map((r) => r.point))).toEqual(new Set(["m101_a", "m103_w", "m1_sn"]));
    // No reading of the old layout's addresses on the new connection: m103_w went from 1500 to 2750.
    const w = seen.filter((r) => r.point === "m103_w" && r.quality === "good").map((r) => r.value);
    expect(new Set(w)).toEqual(new Set([1500, 2750]));
  });

  it("says so when the device has no SunS marker at any base", async () => {
    const sim = await simulate(profiles.get("eastron/sdm120") as Profile);
    const { seen } = poll(sim.port, ["m103_w"]);
    const r = await until("a bad m103_w", seen, () => latest(seen, "m103_w"));
    expect(r).toMatchObject({
      quality: "bad",
      reason: expect.stringMatching(/^SunSpec discovery: no SunSpec "SunS" marker/),
    });
  });

  it("probe reads the points where the chain puts them, and names those the device lacks", async () => {
    const kept = new Set([1, 103]);
    const sim = await simulate({
      ...sunspec,
      sunspec: { bases: [40000], models: (sunspec.sunspec?.models ?? []).filter((m) => kept.has(m.id)) },
      points: sunspec.points.filter((p) => kept.has(p.register.model ?? 0)),
    });
    sim.set("m1_sn", "INV-42");
    const device = deviceSchema.parse({
      id: "x",
      profile: sunspec.id,
      transport: { type: "tcp", host: "127.0.0.1", port: sim.port },
    });
    if (device.transport.type !== "tcp") throw new Error("not TCP");
    const bus = createBus(device.transport, log);
    cleanups.push(() => bus.close());
    const result = await probeDevice(bus, sunspec, 1, 1000);
    expect(result.points.find((p) => p.id === "m1_sn")).toMatchObject({ value: "INV-42" });
    const m124 = result.failures.find((f) => f.points[0] === "m124_wchamax");
    expect(m124).toMatchObject({ reason: "the device publishes no SunSpec model 124", absent: true });
    // One entry per model, naming every point of it the profile has.
    expect(m124?.points).toEqual(sunspec.points.filter((p) => p.register.model === 124).map((p) => p.id));
    expect(result.failures.filter((f) => f.block === "SunSpec model 124")).toHaveLength(1);
  });
});
