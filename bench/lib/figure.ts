/** One measured figure. Only these keys go on the wire (one JSON object per line on stdout). */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The raw limit measured in the same run (raw SQLite insert rate, raw JetStream publish rate). */
  baseline?: number;
  budget?: { min: number } | { max: number };
}

/** A figure plus what it measured, for docs/benchmarks.md; the note never goes on the wire. */
export interface Measured extends Figure {
  note?: string;
}

export type Emit = (figure: Measured) => void;

/** A finding of this run in a sentence or two (where the time goes, what limits a figure), for the docs. */
export type Remark = (text: string) => void;

/** The JSON line for a figure: exactly name, value, unit, baseline?, budget?. */
export function toJsonLine(f: Figure): string {
  const out: Figure = { name: f.name, value: f.value, unit: f.unit };
  if (f.baseline !== undefined) out.baseline = f.baseline;
  if (f.budget !== undefined) out.budget = f.budget;
  return JSON.stringify(out);
}

/** True when the figure is inside its budget (or has none). */
export function withinBudget(f: Figure): boolean {
  if (!f.budget) return true;
  return "min" in f.budget ? f.value >= f.budget.min : f.value <= f.budget.max;
}

/** Items per second, rounded to a whole number. */
export function perSecond(count: number, ms: number): number {
  return Math.round(count / (Math.max(ms, 0.001) / 1000));
}

/** Throws once the time limit has passed; every loop in bench/ checks one so nothing runs unbounded. */
export function deadline(what: string, limitMs: number) {
  const end = performance.now() + limitMs;
  return {
    check() {
      if (performance.now() > end) throw new Error(`${what}: gave up after ${limitMs} ms`);
    },
    remainingMs: () => Math.max(0, end - performance.now()),
  };
}

/** Runs `fn` and returns its result with the elapsed wall time in milliseconds. */
export async function timed<T>(fn: () => T | Promise<T>): Promise<{ result: T; ms: number }> {
  const start = performance.now();
  const result = await fn();
  return { result, ms: performance.now() - start };
}
