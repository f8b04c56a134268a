import { PerformanceObserver } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { loadProfiles, modbusProfiles } from "@tidegate/profiles";
import type { Reading } from "@tidegate/protocol";
import { planReads } from "../../agent/src/sources/modbus/coalesce.js";
import { blockToReadings } from "../../agent/src/sources/modbus/readings.js";
import type { Emit } from "../lib/figure.js";

const PROFILES = ["eastron/sdm120", "sonbest/xy-md02"];
const POLLS = 100_000;

/**
 * modbus.decode_us_per_reading and modbus.decode_minor_gcs_per_1m: what the agent does with a
 * block's answer (decode every point, make its reading), in-process, for the two profiles of the
 * modbus fleet figure. Minor GCs count what a poll allocates: each one is a full young generation.
 */
export async function modbusDecodeFigures(emit: Emit): Promise<void> {
  const all = modbusProfiles(loadProfiles());
  const plans = PROFILES.map((id) => {
    const profile = all.find((p) => p.id === id);
    if (!profile) throw new Error(`profile ${id} is not bundled`);
    const blocks = planReads(profile.points, {});
    // Words that decode to something for every type: mid-range, never a float NaN pattern.
    return blocks.map((b) => ({ block: b, words: Array.from({ length: b.count }, (_, i) => 0x4040 + i) }));
  });
  const poll = (ts: number) => {
    let n = 0;
    for (const plan of plans) {
      const readings: Reading[] = [];
      for (const { block, words } of plan) blockToReadings(block, { words }, { device: "m", ts }, readings);
      n += readings.length;
    }
    return n;
  };
  for (let i = 0; i < POLLS / 10; i++) poll(i); // warm-up: optimised code
  let minor = 0;
  const gcs = new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === 1) minor += 1;
  });
  gcs.observe({ entryTypes: ["gc"] });
  const t0 = performance.now();
  let readings = 0;
  for (let i = 0; i < POLLS; i++) readings += poll(i);
  const ms = performance.now() - t0;
  await sleep(50); // GC entries arrive after the loop
  gcs.disconnect();
  emit({
    name: "modbus.decode_us_per_reading",
    value: Math.round(((ms * 1000) / readings) * 1000) / 1000,
    unit: "µs",
    note: `decoding a block's answer into readings (agent/src/sources/modbus/readings.ts), ${PROFILES.join(" and ")} alternating, ${readings.toLocaleString("en-US")} readings in one process`,
  });
  emit({
    name: "modbus.decode_minor_gcs_per_1m",
    value: Math.round((minor * 1_000_000) / readings),
    unit: "GCs",
    note: `young-generation collections per million readings decoded, at this process's default semi-space size: what decoding allocates beyond the readings themselves shows here`,
  });
}
