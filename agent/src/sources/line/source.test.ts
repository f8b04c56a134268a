import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type LineProfile, loadProfiles } from "@tidegate/profiles";
import type { Reading } from "@tidegate/protocol";
import {
  type PtyPair,
  type SerialLineSimulator,
  startPtyPair,
  startSerialLineSimulator,
} from "@tidegate/simulators";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createSerialLineSource, type SerialLineSource } from "./source.js";

const log = pino({ level: "silent" });
const profiles = loadProfiles();
const gps = profiles.get("u-blox/neo-6m") as LineProfile;
const scale = profiles.get("mettler-toledo/mt-sics") as LineProfile;

async function waitFor(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function rig(profile: LineProfile, silenceMs?: number) {
  const dir = mkdtempSync(join(tmpdir(), "tidegate-serial-"));
  const pty: PtyPair = await startPtyPair(dir, "ttyUSB-line");
  const readings: Reading[] = [];
  const source: SerialLineSource = createSerialLineSource({
    device: { id: "dev-1", transport: { type: "serial", port: pty.agentEnd }, silenceMs },
    profile,
    emit: (r) => readings.push(...r),
    log,
  });
  const state = { sim: undefined as SerialLineSimulator | undefined };
  cleanups.push(
    () => rmSync(dir, { recursive: true, force: true }),
    () => pty.close(),
    async () => state.sim?.close(),
    () => source.stop(),
  );
  const startSim = async () => {
    state.sim = await startSerialLineSimulator({
      path: pty.deviceEnd,
      profile,
      intervalMs: 100,
      seed: 7,
      talker: "GN",
    });
    return state.sim;
  };
  const last = (point: string) => readings.filter((r) => r.point === point).at(-1);
  return { pty, source, readings, startSim, last };
}

describe("serial line source over a real PTY", () => {
  it("reads pinned values, counts faults by reason without storing them, and survives an unplug", async () => {
    const { pty, source, readings, startSim, last } = await rig(gps);
    source.start();
    let sim = await startSim();
    sim.set("satellites", 11);
    sim.set("latitude", -33.8688);
    sim.set("speed", 18.52);
    await waitFor("pinned values", () => last("satellites")?.value === 11 && last("speed")?.value === 18.52);
    expect(last("latitude")?.value).toBeCloseTo(-33.8688, 6);
    await waitFor("health ok", () => source.health().status === "ok");

    sim.inject("garbage");
    await waitFor("garbage counted", () => (source.stats().dropped.garbage ?? 0) >= 1);
    sim.inject("bad-checksum");
    await waitFor("bad checksum counted", () => (source.stats().dropped["checksum-mismatch"] ?? 0) >= 1);
    const partialBefore = source.stats().dropped.partial ?? 0;
    sim.inject("partial");
    await waitFor("partial counted", () => (source.stats().dropped.partial ?? 0) > partialBefore);
    const afterFaults = readings.length;
    await waitFor("lines after the faults", () => readings.length > afterFaults + 20);

    // Faulty lines never became values: every reading is good, typed, and the pinned ones never moved.
    for (const r of readings) {
      expect(r.quality).toBe("good");
      expect(r.value === null || Number.isNaN(r.value)).toBe(false);
    }
    expect(new Set(readings.filter((r) => r.point === "satellites").map((r) => r.value))).toEqual(
      new Set([11]),
    );
    expect(new Set(readings.filter((r) => r.point === "speed").map((r) => r.value))).toEqual(
      new Set([18.52]),
    );
    const stats = source.stats();
    expect(stats.readings).toBe(readings.length);
    expect(Object.keys(stats.dropped).sort()).toEqual(["checksum-mismatch", "garbage", "partial"]);

    // Unplug: the adapter and the device are gone.
    await sim.close();
    await pty.close();
    await waitFor("failing", () => source.health().status === "failing");
    expect(source.health().lastError).toMatch(/unplugged/);

    // Plug it back in: the same source picks the device up again.
    await pty.reopen();
    sim = await startSim();
    sim.set("satellites", 5);
    await waitFor("readings after replug", () => last("satellites")?.value === 5, 30_000);
    await waitFor("health ok after replug", () => source.health().status === "ok");
  }, 60_000);

  it("marks a silent device failing and recovers when it prints again; reads an unframed scale", async () => {
    const { source, readings, startSim, last } = await rig(scale, 600);
    source.start();
    const sim = await startSim();
    sim.set("weight", 123.45);
    sim.set("stable", true);
    await waitFor("weight", () => last("weight")?.value === 123.45 && last("stable")?.value === true);
    expect(last("unit")?.value).toBe("g");
    // The first line after opening may be a tail and is dropped as partial too: count from here.
    const partialBefore = source.stats().dropped.partial ?? 0;
    sim.inject("partial");
    await waitFor("partial counted", () => (source.stats().dropped.partial ?? 0) > partialBefore);
    sim.set("weight", -7.5);
    await waitFor("weight after partial", () => last("weight")?.value === -7.5);
    const weights = new Set(readings.filter((r) => r.point === "weight").map((r) => r.value));
    expect(weights).toEqual(new Set([123.45, -7.5]));

    sim.silence(true);
    await waitFor("silent", () => source.health().status === "failing");
    expect(source.health().lastError).toMatch(/no data/);
    sim.silence(false);
    await waitFor("printing again", () => source.health().status !== "failing");

    await source.stop();
    const lines = source.stats().lines;
    await sleep(300);
    expect(source.stats().lines).toBe(lines);
  }, 60_000);
});
