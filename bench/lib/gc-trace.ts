// Garbage collection time of a process run with --trace-gc, read from the lines V8 prints.

/** One collection: when it ended (ms since the isolate started) and the main thread's time in it. */
export interface GcEvent {
  atMs: number;
  kind: string;
  /** The pause plus, for a mark-compact, the incremental marking steps before it (all on the main thread). */
  mainThreadMs: number;
}

// "[pid:0x…]  631 ms: Scavenge 4.1 (5.3) -> 3.6 (6.3) MB, 0.72 / 0.00 ms  (…"
// "[pid:0x…] 1391 ms: Mark-Compact 291.2 (297.1) -> 70.1 (82.9) MB, 4.15 / 0.01 ms  (+ 3.3 ms in 39 steps …"
const LINE =
  /\]\s+(\d+) ms: ([A-Za-z-]+(?: [A-Za-z-]+)?)(?: \([a-z ]+\))? [\d.]+ \([\d.]+\) -> [\d.]+ \([\d.]+\) MB, ([\d.]+) \/ [\d.]+ ms(?:\s+\(\+ ([\d.]+) ms in)?/;

export function parseGcTrace(output: string): GcEvent[] {
  const events: GcEvent[] = [];
  for (const line of output.split("\n")) {
    const m = LINE.exec(line);
    if (!m) continue;
    events.push({
      atMs: Number(m[1]),
      kind: m[2] as string,
      mainThreadMs: Number(m[3]) + Number(m[4] ?? 0),
    });
  }
  return events;
}

/** The last collection's time stamp in `output`, so a later read can take only what came after it. */
export const lastGcAt = (output: string): number => parseGcTrace(output).at(-1)?.atMs ?? -1;

/** Collections after `sinceMs`: how many, and the main thread's ms in them. */
export function gcSince(output: string, sinceMs: number): { count: number; ms: number } {
  const after = parseGcTrace(output).filter((e) => e.atMs > sinceMs);
  return { count: after.length, ms: after.reduce((sum, e) => sum + e.mainThreadMs, 0) };
}
