import {
  loadProfiles,
  modbusProfiles,
  type PointSpec,
  registerCount,
  registerTables,
} from "@tidegate/profiles";
import { planReads } from "../../agent/src/sources/modbus/coalesce.js";
import { layOutSunspec } from "../../simulators/src/sunspec-chain.js";
import type { Emit } from "../lib/figure.js";

const MAX_GAP = 10; // the agent's default
const LIMIT = { registers: 125, bits: 2000 };

/**
 * The fewest reads that can cover `points` under the same rules the agent follows (one table per
 * read, at most 125 registers / 2000 bits, at most MAX_GAP unused between neighbours), found by
 * dynamic programming over the sorted points: an independent check of the planner's greedy result.
 */
export function minimalReads(points: readonly PointSpec[]): number {
  let total = 0;
  for (const table of registerTables) {
    const spans = points
      .filter((p) => p.register.table === table)
      .map((p) => [p.register.address, p.register.address + registerCount(p.register)] as const)
      .sort((a, b) => a[0] - b[0]);
    const limit = table === "coil" || table === "discrete" ? LIMIT.bits : LIMIT.registers;
    // One read can carry spans[j..i) when each span starts at most MAX_GAP after the ones before
    // it end, and the whole stays within the limit.
    const fits = (j: number, i: number) => {
      const first = spans[j] as readonly [number, number];
      let end = first[1];
      for (let k = j + 1; k < i; k++) {
        const [s, e] = spans[k] as readonly [number, number];
        if (s - end > MAX_GAP) return false;
        end = Math.max(end, e);
      }
      return end - first[0] <= limit;
    };
    // best[i]: fewest reads covering the first i spans.
    const best = [0];
    for (let i = 1; i <= spans.length; i++) {
      best[i] = Number.POSITIVE_INFINITY;
      for (let j = 0; j < i; j++)
        if (fits(j, i)) best[i] = Math.min(best[i] as number, (best[j] as number) + 1);
    }
    total += best[spans.length] as number;
  }
  return total;
}

/** modbus.reads_per_cycle: requests one poll of every shipped Modbus profile takes, against the minimum. */
export async function modbusPlanFigures(emit: Emit): Promise<void> {
  const profiles = modbusProfiles(loadProfiles());
  let planned = 0;
  let minimal = 0;
  const parts: string[] = [];
  for (const p of profiles) {
    // A SunSpec profile's points have addresses only on a device: planned as the simulator lays its chain out.
    const points = layOutSunspec(p).points;
    const n = planReads(points, { maxGap: MAX_GAP }).length;
    const m = minimalReads(points);
    planned += n;
    minimal += m;
    parts.push(`${p.id} ${points.length} points in ${n} reads (minimum ${m})`);
  }
  emit({
    name: "modbus.reads_per_cycle",
    value: planned,
    unit: "requests",
    baseline: minimal,
    budget: { max: minimal },
    note: `one poll of all ${profiles.length} shipped Modbus profiles at the default maxGap ${MAX_GAP}; baseline = the fewest reads under the same limits, by dynamic programming: ${parts.join("; ")}`,
  });
}
