/**
 * Chart data: several series on one time axis, each with an optional min–max band. A cell is a
 * number, `null` (a gap: uPlot breaks the line) or `undefined` (no sample at this time: uPlot
 * joins across it, as where another series has a reading and this one has none).
 */
export type Cell = number | null | undefined;

export interface Columns {
  /** Timestamps in ms, ascending. */
  x: number[];
  /** One column per series: the line. */
  lines: Cell[][];
  /** Per series: [max, min] columns when the data was downsampled into buckets. */
  bands: ([Cell[], Cell[]] | undefined)[];
  /** The collector's bucket width in ms, or "raw". */
  step: number | "raw";
}

/** The answer of GET /api/v1/series (columnar). */
export interface SeriesAnswerLike {
  step: number | "raw";
  ts: readonly number[];
  series: readonly {
    values: readonly (number | null)[];
    min?: readonly (number | null)[] | undefined;
    max?: readonly (number | null)[] | undefined;
  }[];
}

/** A reading pushed by the live feed, for the series at `index` in the chart. */
export interface LivePoint {
  index: number;
  ts: number;
  value: number | null;
}

const GAP_FACTOR = 5;

const clean = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

function median(sorted: number[]): number {
  const mid = Math.floor(sorted.length / 2);
  const a = sorted[mid] ?? 0;
  return sorted.length % 2 ? a : (a + (sorted[mid - 1] ?? a)) / 2;
}

/**
 * Where a series' own readings are further apart than 5× their median spacing (the gateway was
 * offline, the device failed), a gap belongs in the middle.
 */
export function gapTimes(times: readonly number[]): number[] {
  if (times.length < 3) return [];
  const steps = times.slice(1).map((t, i) => t - (times[i] as number));
  const limit = median([...steps].sort((a, b) => a - b)) * GAP_FACTOR;
  if (!(limit > 0)) return [];
  const out: number[] = [];
  steps.forEach((s, i) => {
    if (s > limit) out.push(((times[i] as number) + (times[i + 1] as number)) / 2);
  });
  return out;
}

/**
 * Sets cells, adding rows for new times (other series get `undefined` there, i.e. no sample).
 * Serves live readings and the gaps found in raw data alike.
 */
export function mergeCells(cols: Columns, cells: readonly LivePoint[]): Columns {
  const x = [...new Set([...cols.x, ...cells.map((c) => c.ts)])].sort((a, b) => a - b);
  const row = new Map(x.map((t, i) => [t, i]));
  const remap = (col: readonly Cell[]): Cell[] => {
    const out: Cell[] = new Array(x.length).fill(undefined);
    cols.x.forEach((t, i) => {
      out[row.get(t) as number] = col[i];
    });
    return out;
  };
  const lines = cols.lines.map(remap);
  for (const c of cells) {
    const line = lines[c.index];
    if (line) line[row.get(c.ts) as number] = c.value;
  }
  const bands = cols.bands.map((b) => b && ([remap(b[0]), remap(b[1])] as [Cell[], Cell[]]));
  return { ...cols, x, lines, bands };
}

/**
 * The collector's answer as chart columns. Buckets keep their nulls as gaps (an empty bucket is
 * missing data) and carry a band when min and max came along. Raw readings of several series
 * are aligned on the union of their times, so a null there only means "no reading at this
 * time": it is joined over, and real gaps are found from each series' spacing instead.
 */
export function toColumns(answer: SeriesAnswerLike): Columns {
  const n = answer.ts.length;
  const x = Array.from(answer.ts);
  const col = (v: readonly (number | null)[] | undefined): Cell[] =>
    Array.from({ length: n }, (_, i) => clean(v?.[i]));
  if (answer.step !== "raw") {
    return {
      x,
      step: answer.step,
      lines: answer.series.map((s) => col(s.values)),
      bands: answer.series.map((s) => (s.min && s.max ? [col(s.max), col(s.min)] : undefined)),
    };
  }
  const lines = answer.series.map((s) => col(s.values).map((v) => (v === null ? undefined : v)));
  const gaps = lines.flatMap((line, index) =>
    gapTimes(x.filter((_, i) => line[i] !== undefined)).map((ts) => ({ index, ts, value: null })),
  );
  const cols: Columns = { x, step: "raw", lines, bands: lines.map(() => undefined) };
  return gaps.length ? mergeCells(cols, gaps) : cols;
}

/**
 * The polled columns with the live readings that arrived since, in time order. A window that
 * follows the clock slides with the newest reading, keeping its width, and rows that slid out
 * are dropped.
 */
export function appendLive(
  cols: Columns,
  live: readonly LivePoint[],
  window: { from: number; to: number },
): { cols: Columns; window: { from: number; to: number } } {
  const lastX = cols.x.at(-1) ?? Number.NEGATIVE_INFINITY;
  const fresh = live.filter((p) => p.ts > lastX);
  if (fresh.length === 0) return { cols, window };
  const newest = Math.max(...fresh.map((p) => p.ts));
  const shift = Math.max(0, newest - window.to);
  const slid = { from: window.from + shift, to: window.to + shift };
  const merged = mergeCells(cols, fresh);
  const keep = merged.x.findIndex((t) => t >= slid.from);
  if (keep <= 0) return { cols: merged, window: slid };
  const cut = (c: Cell[]) => c.slice(keep);
  return {
    cols: {
      ...merged,
      x: merged.x.slice(keep),
      lines: merged.lines.map(cut),
      bands: merged.bands.map((b) => b && ([cut(b[0]), cut(b[1])] as [Cell[], Cell[]])),
    },
    window: slid,
  };
}

/** Where each series' columns sit in uPlot's data: bands first, so lines are drawn over them. */
export interface Layout {
  lines: number[];
  bands: ([hi: number, lo: number] | undefined)[];
}

export function layoutOf(cols: Pick<Columns, "lines" | "bands">): Layout {
  let next = 1;
  const bands = cols.bands.map((b) => {
    if (!b) return undefined;
    next += 2;
    return [next - 2, next - 1] as [number, number];
  });
  return { bands, lines: cols.lines.map((_, i) => next + i) };
}

/** uPlot's aligned data (x in seconds) in the order of `layoutOf`. */
export function toUplot(cols: Columns): [number[], ...Cell[][]] {
  const bandCols = cols.bands.flatMap((b) => (b ? [b[0], b[1]] : []));
  return [cols.x.map((t) => t / 1000), ...bandCols, ...cols.lines];
}

/** How many samples each series has with a value (lets a browser test see something is drawn). */
export function drawnCounts(cols: Columns): number[] {
  return cols.lines.map((l) => l.filter((v) => typeof v === "number").length);
}

/** Each series' last value, or undefined when it has none in the window. */
export function lastValues(cols: Columns): (number | undefined)[] {
  return cols.lines.map((l) => {
    for (let i = l.length - 1; i >= 0; i--) if (typeof l[i] === "number") return l[i] as number;
    return undefined;
  });
}
