/**
 * A chart's time range: either "the last N" (follows the clock, gets live readings) or a fixed
 * window from..to (history: zoomed, panned or typed in). Pure; callers pass `now` in ms.
 */

export const PRESETS = [
  { id: "15m", ms: 15 * 60_000 },
  { id: "1h", ms: 3_600_000 },
  { id: "24h", ms: 86_400_000 },
  { id: "7d", ms: 7 * 86_400_000 },
  { id: "30d", ms: 30 * 86_400_000 },
] as const;
export type PresetId = (typeof PRESETS)[number]["id"];

export type TimeRange =
  /** The last `span` ms up to now; `preset` when it is one of the buttons. */
  { live: true; span: number; preset?: PresetId } | { live: false; from: number; to: number };

export interface Window {
  from: number;
  to: number;
}

/** Below this a zoom stops: the collector's finest bucket is 1 s, and a few samples must remain. */
export const MIN_SPAN_MS = 10_000;

export function presetRange(id: PresetId): TimeRange {
  const p = PRESETS.find((x) => x.id === id) ?? PRESETS[0];
  return { live: true, span: p.ms, preset: p.id };
}

/** The window to query now. */
export function resolveWindow(range: TimeRange, now: number): Window {
  return range.live ? { from: now - range.span, to: now } : { from: range.from, to: range.to };
}

/**
 * A window the user asked for (drag, pan, custom) as a range: one that reaches now (within 1% of
 * its width, at least 5 s) keeps following the clock at that width; the end never lies in the future.
 */
export function windowRange(from: number, to: number, now: number): TimeRange {
  let [a, b] = from <= to ? [from, to] : [to, from];
  if (b - a < MIN_SPAN_MS) {
    const mid = (a + b) / 2;
    [a, b] = [mid - MIN_SPAN_MS / 2, mid + MIN_SPAN_MS / 2];
  }
  const slack = Math.max(5_000, (b - a) * 0.01);
  if (b >= now - slack) {
    // The width asked for is kept; a window that ran past now starts at the same place.
    const span = Math.round(Math.max(MIN_SPAN_MS, Math.min(b, now) - a));
    const preset = PRESETS.find((p) => p.ms === span)?.id;
    return preset ? { live: true, span, preset } : { live: true, span };
  }
  return { live: false, from: Math.round(a), to: Math.round(b) };
}

/** Shifts the window by half its width; -1 earlier, +1 later. Later than now is clamped to now. */
export function pan(range: TimeRange, direction: -1 | 1, now: number): TimeRange {
  const w = resolveWindow(range, now);
  const span = w.to - w.from;
  const shift = (span / 2) * direction;
  const to = Math.min(now, w.to + shift);
  return windowRange(to - span, to, now);
}

/** Whether a pan to later times would move anything. */
export function canPanLater(range: TimeRange): boolean {
  return !range.live;
}

/** Whether the range came from a zoom, pan or custom window rather than a preset button. */
export function isZoomed(range: TimeRange): boolean {
  return !range.live || range.preset === undefined;
}

/** How often to ask again: a month moves slowly, and a past window does not move at all (but data may arrive late). */
export function pollInterval(range: TimeRange): number {
  if (!range.live) return 60_000;
  return range.span > 3_600_000 ? 60_000 : 5_000;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** ms → the value of an `<input type="datetime-local">` in the browser's time zone, to the minute. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The inverse of toLocalInput; undefined for an empty or malformed value. */
export function fromLocalInput(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as number[];
  const ms = new Date(y as number, (mo as number) - 1, d, h, mi, s).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}
