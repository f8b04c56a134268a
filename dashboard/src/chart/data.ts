/** The shape uPlot wants for one line: x in seconds, y values with null for gaps. */
export type UplotData = [number[], (number | null)[]];

export interface SeriesLike {
  /** Timestamps in ms. */
  ts: readonly number[];
  values: readonly (number | boolean | null | undefined)[];
}

export interface ToUplotOptions {
  /**
   * Also break the line where samples are missing (e.g. the gateway was offline): a gap longer
   * than 5× the median sample spacing gets a null in the middle. Off by default.
   */
  splitGaps?: boolean;
}

const GAP_FACTOR = 5;

function median(sorted: number[]): number {
  const mid = Math.floor(sorted.length / 2);
  const a = sorted[mid] ?? 0;
  return sorted.length % 2 ? a : (a + (sorted[mid - 1] ?? a)) / 2;
}

/**
 * Converts an API series (ms timestamps) into uPlot's aligned data (seconds). Nulls stay nulls
 * (uPlot draws them as gaps), booleans become 0/1, non-finite numbers become null, points
 * without a valid timestamp are dropped, and the result is sorted by time as uPlot requires.
 */
export function toUplotData(series: SeriesLike | null | undefined, options: ToUplotOptions = {}): UplotData {
  if (!series) return [[], []];
  const n = Math.min(series.ts.length, series.values.length);
  let rows: [number, number | null][] = [];
  let sorted = true;
  for (let i = 0; i < n; i++) {
    const x = series.ts[i];
    if (typeof x !== "number" || !Number.isFinite(x)) continue;
    const v = series.values[i];
    const y = typeof v === "boolean" ? Number(v) : typeof v === "number" && Number.isFinite(v) ? v : null;
    const prev = rows[rows.length - 1];
    if (prev && prev[0] > x) sorted = false;
    rows.push([x, y]);
  }
  if (!sorted) rows.sort((a, b) => a[0] - b[0]);

  if (options.splitGaps && rows.length >= 3) {
    const steps: number[] = [];
    for (let i = 1; i < rows.length; i++) steps.push((rows[i]?.[0] ?? 0) - (rows[i - 1]?.[0] ?? 0));
    const limit = median(steps.sort((a, b) => a - b)) * GAP_FACTOR;
    if (limit > 0) {
      const split: [number, number | null][] = [];
      rows.forEach((row, i) => {
        const prev = rows[i - 1];
        if (prev && row[0] - prev[0] > limit) split.push([(prev[0] + row[0]) / 2, null]);
        split.push(row);
      });
      rows = split;
    }
  }
  return [rows.map((r) => r[0] / 1000), rows.map((r) => r[1])];
}

/** True when there is nothing to draw (no samples, or only gaps). */
export function isEmpty(data: UplotData): boolean {
  return data[1].every((v) => v === null);
}

/** A reading pushed by the collector's live feed. */
export interface LivePoint {
  ts: number;
  value: number | null;
}

/**
 * The polled chart data with the live readings that arrived since, appended in time order. The
 * window slides with the newest reading, keeping its length, so the chart keeps showing "the last
 * N minutes" between polls; samples that slid out are dropped.
 */
export function appendLive(
  data: UplotData,
  live: readonly LivePoint[],
  window: { from: number; to: number },
): { data: UplotData; window: { from: number; to: number } } {
  const lastX = data[0].at(-1) ?? Number.NEGATIVE_INFINITY;
  const fresh = live.filter((p) => p.ts / 1000 > lastX).sort((a, b) => a.ts - b.ts);
  if (fresh.length === 0) return { data, window };
  const newest = (fresh.at(-1) as LivePoint).ts;
  const shift = Math.max(0, newest - window.to);
  const slid = { from: window.from + shift, to: window.to + shift };
  const xs = [...data[0], ...fresh.map((p) => p.ts / 1000)];
  const ys = [...data[1], ...fresh.map((p) => p.value)];
  const keep = xs.findIndex((x) => x * 1000 >= slid.from);
  return { data: keep > 0 ? [xs.slice(keep), ys.slice(keep)] : [xs, ys], window: slid };
}
