import { ROLLUP_TIERS, type RollupTable, tierFor } from "./tiers.js";

/**
 * Chart queries over raw readings and rollups: picks the resolution so a chart gets ~1–2k points,
 * and puts every series on one time axis (uPlot's columnar shape), nulls for gaps.
 */

export type Agg = "avg" | "min" | "max" | "last" | "minmax";
export const AGGS: readonly Agg[] = ["avg", "min", "max", "last", "minmax"];

/** Steps a chart may use, so buckets line up on round times. */
const NICE_STEPS_MS = [
  1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000,
  3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000, 604_800_000,
];
export const TARGET_POINTS = 1500;
/** Auto may take a coarser step, a rollup tier's own width, while the chart keeps this many points. */
export const MIN_AUTO_POINTS = 600;
export const MAX_POINTS = 10_000;

export type Source = "raw" | RollupTable;

export interface Plan {
  /** Bucket width in ms; 0: the readings as they are. */
  stepMs: number;
  source: Source;
}

/** Parses "auto", "raw", "30s", "5m", "1h", "1d" or a number of milliseconds. */
export function parseStep(text: string | undefined): number | "auto" | "raw" | undefined {
  if (text === undefined || text === "auto") return "auto";
  if (text === "raw") return "raw";
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(text);
  if (!m) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? "ms") as "ms"];
  const ms = Number(m[1]) * unit;
  // Hundreds of digits make Infinity: no bucket grid can be laid with that.
  return Number.isSafeInteger(ms) && ms >= 1000 ? ms : undefined;
}

/** The source that can answer a step: the coarsest rollup tier that tiles it, else raw readings. */
function sourceFor(stepMs: number): Source {
  return tierFor(stepMs)?.table ?? "raw";
}

/**
 * Auto: the smallest round step that keeps the chart under TARGET_POINTS buckets, or a rollup
 * tier's width if that still makes MIN_AUTO_POINTS. A given step
 * must not make more than MAX_POINTS buckets: huge ranges are downsampled, never sent row by row.
 */
export function planQuery(from: number, to: number, step: number | "auto" | "raw"): Plan | string {
  const range = Math.max(1, to - from);
  if (step === "raw") return { stepMs: 0, source: "raw" };
  if (step === "auto") {
    // Past the largest round step (ranges of decades), whole weeks still keep it to TARGET_POINTS.
    const week = NICE_STEPS_MS.at(-1) as number;
    const nice =
      NICE_STEPS_MS.find((s) => range / s <= TARGET_POINTS) ?? Math.ceil(range / TARGET_POINTS / week) * week;
    // A tier's own width, when it still draws a full chart, folds one row per bucket: 30 days at
    // 1 h are 720 rows per series instead of 2,880 rows of 15 minutes folded into 30-minute buckets.
    const tierWidth = ROLLUP_TIERS.find((t) => t.ms >= nice && range / t.ms >= MIN_AUTO_POINTS)?.ms;
    const stepMs = tierWidth ?? nice;
    return { stepMs, source: sourceFor(stepMs) };
  }
  if (range / step > MAX_POINTS)
    return `step ${step} ms would make ${Math.ceil(range / step)} points for this range; at most ${MAX_POINTS} (use a larger step, or step=auto)`;
  return { stepMs: step, source: sourceFor(step) };
}

/** One bucket's partial aggregate, from raw readings or from a rollup row. */
export interface BucketPartial {
  t: number;
  n: number;
  total: number;
  lo: number;
  hi: number;
  lastTs: number;
  last: number;
}

export interface SeriesColumns {
  values: (number | null)[];
  /** With agg=minmax: the band around `values` (avg) when downsampled. */
  min?: (number | null)[];
  max?: (number | null)[];
}

/** Adds `p` into `into`: the same fold serves ingest (rollups) and queries (coarser buckets). */
export function mergePartial(into: BucketPartial, p: BucketPartial): void {
  into.n += p.n;
  into.total += p.total;
  into.lo = Math.min(into.lo, p.lo);
  into.hi = Math.max(into.hi, p.hi);
  if (p.lastTs >= into.lastTs) {
    into.lastTs = p.lastTs;
    into.last = p.last;
  }
}

/** Bucket starts from `from` to `to` on the step grid. */
export function grid(from: number, to: number, stepMs: number): number[] {
  const out: number[] = [];
  for (let t = Math.floor(from / stepMs) * stepMs; t <= to; t += stepMs) out.push(t);
  return out;
}

/** Merges partials into the grid's buckets and reads out the aggregate asked for; empty buckets are null. */
export function bucketize(
  partials: readonly BucketPartial[],
  axis: readonly number[],
  stepMs: number,
  agg: Agg,
): SeriesColumns {
  const first = axis[0] ?? 0;
  const merged: (BucketPartial | undefined)[] = new Array(axis.length);
  for (const p of partials) {
    const i = Math.floor((p.t - first) / stepMs);
    if (i < 0 || i >= axis.length) continue;
    const m = merged[i];
    if (m) mergePartial(m, p);
    else merged[i] = { ...p };
  }
  const read = (f: (m: BucketPartial) => number) => Array.from(merged, (m) => (m ? f(m) : null));
  switch (agg) {
    case "min":
      return { values: read((m) => m.lo) };
    case "max":
      return { values: read((m) => m.hi) };
    case "last":
      return { values: read((m) => m.last) };
    case "minmax":
      return { values: read((m) => m.total / m.n), min: read((m) => m.lo), max: read((m) => m.hi) };
    default:
      return { values: read((m) => m.total / m.n) };
  }
}

/** Raw readings of several series on one axis: the union of their timestamps, nulls where a series has none. */
export function alignRaw(series: readonly { ts: number[]; values: (number | null)[] }[]): {
  ts: number[];
  columns: (number | null)[][];
} {
  const ts = [...new Set(series.flatMap((s) => s.ts))].sort((a, b) => a - b);
  const index = new Map(ts.map((t, i) => [t, i]));
  const columns = series.map((s) => {
    const col: (number | null)[] = new Array(ts.length).fill(null);
    s.ts.forEach((t, i) => {
      col[index.get(t) as number] = s.values[i] ?? null;
    });
    return col;
  });
  return { ts, columns };
}
