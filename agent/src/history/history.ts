import type { Reading } from "@tidegate/protocol";
import { createSeriesMap } from "../series-map.js";

/**
 * The agent's own short history for the local trend charts. The buffer forgets readings once the
 * collector has them, so this keeps, per numeric point and in fixed-size typed arrays (no growth, no
 * objects per reading): the raw readings of the last hour and 1-minute buckets of the last day.
 */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export interface HistoryLimits {
  /** Raw readings kept per point: an hour at one reading every 3 s. */
  rawPerPoint: number;
  /** 1-minute buckets kept per point: one day. */
  minutes: number;
  /** Points kept at most; readings of further points are not kept (the local view says so). */
  maxPoints: number;
}

export const defaultHistoryLimits: HistoryLimits = { rawPerPoint: 1200, minutes: 1440, maxPoints: 128 };

/** Bytes one point takes: raw (f64 time + f64 value) and buckets (i32 minute, u32 count, f64 min/max/sum). */
export const bytesPerPoint = (l: HistoryLimits) => l.rawPerPoint * 16 + l.minutes * (4 + 4 + 3 * 8);
// With the defaults: 19.2 KB raw + 46.1 KB buckets = 65.3 KB per point, at most 8.4 MB for 128 points.

export type HistoryRange = "1h" | "24h";

/** The columnar shape the dashboard's chart takes (as GET /api/v1/series answers). */
export interface HistoryAnswer {
  /** "raw", or the bucket width in ms. */
  step: number | "raw";
  ts: number[];
  series: [{ values: number[]; min?: number[]; max?: number[] }];
}

function createPointHistory(l: HistoryLimits) {
  const rawTs = new Float64Array(l.rawPerPoint);
  const rawValue = new Float64Array(l.rawPerPoint);
  let rawNext = 0;
  let rawCount = 0;
  // Slot = minute % minutes; a slot holding another minute is stale (or, if newer, wins).
  const minute = new Int32Array(l.minutes).fill(-1);
  const count = new Uint32Array(l.minutes);
  const min = new Float64Array(l.minutes);
  const max = new Float64Array(l.minutes);
  const sum = new Float64Array(l.minutes);

  function addBucket(ts: number, v: number) {
    const m = Math.floor(ts / MINUTE_MS);
    const slot = m % l.minutes;
    const held = minute[slot] as number;
    if (held > m) return; // older than a day's worth of newer minutes: no room for it
    if (held !== m) {
      minute[slot] = m;
      count[slot] = 0;
      sum[slot] = 0;
      min[slot] = v;
      max[slot] = v;
    }
    count[slot] = (count[slot] as number) + 1;
    sum[slot] = (sum[slot] as number) + v;
    if (v < (min[slot] as number)) min[slot] = v;
    if (v > (max[slot] as number)) max[slot] = v;
  }

  return {
    add(ts: number, v: number) {
      rawTs[rawNext] = ts;
      rawValue[rawNext] = v;
      rawNext = (rawNext + 1) % l.rawPerPoint;
      rawCount = Math.min(rawCount + 1, l.rawPerPoint);
      addBucket(ts, v);
    },
    /** Raw readings since `from`, in time order; `complete` is false when the ring dropped some of them. */
    raw(from: number) {
      const rows: [number, number][] = [];
      let oldest = Infinity;
      for (let i = 0; i < rawCount; i++) {
        const ts = rawTs[i] as number;
        oldest = Math.min(oldest, ts);
        if (ts >= from) rows.push([ts, rawValue[i] as number]);
      }
      rows.sort((a, b) => a[0] - b[0]);
      return { rows, complete: rawCount < l.rawPerPoint || oldest <= from };
    },
    /** Non-empty buckets from `from` to `to`, oldest first. */
    buckets(from: number, to: number) {
      const out: { ts: number; min: number; max: number; avg: number; count: number }[] = [];
      const first = Math.max(Math.floor(from / MINUTE_MS), Math.floor(to / MINUTE_MS) - l.minutes + 1);
      for (let m = first; m <= Math.floor(to / MINUTE_MS); m++) {
        const slot = m % l.minutes;
        if (minute[slot] !== m) continue;
        const n = count[slot] as number;
        out.push({
          ts: m * MINUTE_MS,
          min: min[slot] as number,
          max: max[slot] as number,
          avg: (sum[slot] as number) / n,
          count: n,
        });
      }
      return out;
    },
  };
}

/** A point's numeric value for a trend: numbers as they are, on/off as 1/0; text and missing values are skipped. */
function numeric(r: Reading): number | undefined {
  if (typeof r.value === "number" && Number.isFinite(r.value)) return r.value;
  if (typeof r.value === "boolean") return r.value ? 1 : 0;
  return undefined;
}

export function createHistory(limits: HistoryLimits = defaultHistoryLimits) {
  const points = createSeriesMap<ReturnType<typeof createPointHistory>>();
  let refused = 0;
  return {
    limits,
    record(readings: readonly Reading[]) {
      for (const r of readings) {
        const v = numeric(r);
        if (v === undefined) continue;
        let p = points.get(r.device, r.point);
        if (!p) {
          if (points.size >= limits.maxPoints) {
            refused += 1;
            continue;
          }
          p = createPointHistory(limits);
          points.set(r.device, r.point, p);
        }
        p.add(r.ts, v);
      }
    },
    has: (device: string, point: string) => points.get(device, point) !== undefined,
    /**
     * A point's trend for the chart: the last hour as raw readings while the raw ring still reaches
     * back an hour (else minute buckets), the last day as minute buckets with their min–max band.
     */
    query(device: string, point: string, range: HistoryRange, now: number): HistoryAnswer | undefined {
      const p = points.get(device, point);
      if (!p) return undefined;
      const from = now - (range === "1h" ? HOUR_MS : DAY_MS);
      if (range === "1h") {
        const raw = p.raw(from);
        if (raw.complete)
          return {
            step: "raw",
            ts: raw.rows.map((r) => r[0]),
            series: [{ values: raw.rows.map((r) => r[1]) }],
          };
      }
      const b = p.buckets(from, now);
      return {
        step: MINUTE_MS,
        ts: b.map((x) => x.ts),
        series: [{ values: b.map((x) => x.avg), min: b.map((x) => x.min), max: b.map((x) => x.max) }],
      };
    },
    stats: () => ({
      points: points.size,
      refusedReadings: refused,
      bytes: points.size * bytesPerPoint(limits),
    }),
  };
}
export type History = ReturnType<typeof createHistory>;
