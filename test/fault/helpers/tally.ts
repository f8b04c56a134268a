import { expect } from "vitest";
import type { AgentLedger, StoreLedger } from "./count.js";
import { rangeSize, subtractRanges } from "./count.js";

/**
 * One scenario's books: what the agent committed against what the collector stored.
 * produced = committed seqs; lost = committed − stored (≤ committed) − dropped by policy;
 * duplicated = one poll stored twice (same device/point/ts) + rows with a seq never committed.
 */
export interface Tally {
  name: string;
  produced: number;
  stored: number;
  lost: number;
  dropped: Record<string, number>;
  /** Committed seqs neither stored nor reported dropped: the no-gap check. */
  missing: [number, number][];
  sameReading: number;
  beyond: number;
  duplicated: number;
  /** Extra `reason=n` entries for the lost breakdown that are not part of `produced`. */
  notes: string[];
  /** Evidence that the fault hit work in progress which the design then absorbed. */
  absorbed: string[];
}

export function tallyOf(
  name: string,
  agent: AgentLedger,
  store: StoreLedger,
  extra: { notes?: string[]; absorbed?: string[] } = {},
): Tally {
  const droppedTotal = Object.values(agent.dropped).reduce((a, b) => a + b, 0);
  const within = store.holes
    .map(([f, l]): [number, number] => [f, Math.min(l, agent.committed)])
    .filter(([f, l]) => f <= l);
  if (store.max < agent.committed) within.push([store.max + 1, agent.committed]);
  const stored = store.stored - store.beyond;
  return {
    name,
    produced: agent.committed,
    stored,
    lost: agent.committed - stored - droppedTotal,
    dropped: agent.dropped,
    missing: subtractRanges(within, agent.droppedRanges),
    sameReading: store.sameReading,
    beyond: store.beyond,
    duplicated: store.sameReading + store.beyond,
    notes: extra.notes ?? [],
    absorbed: extra.absorbed ?? [],
  };
}

const showRanges = (r: [number, number][]) =>
  r.length === 0
    ? "none"
    : `${r
        .slice(0, 8)
        .map(([f, l]) => (f === l ? `${f}` : `${f}-${l}`))
        .join(",")}${r.length > 8 ? ",…" : ""}`;

export function formatTally(t: Tally): string {
  const dropped = Object.entries(t.dropped)
    .map(([reason, n]) => `dropped:${reason}=${n}`)
    .join(", ");
  const reasons = [
    `missing-after-commit=${rangeSize(t.missing)} (seqs ${showRanges(t.missing)})`,
    dropped || "dropped=0",
    ...t.notes,
  ].join(", ");
  return (
    `scenario ${t.name}: produced=${t.produced} stored=${t.stored} lost=${t.lost} (by reason ${reasons}) ` +
    `duplicated=${t.duplicated} (same device/point/ts=${t.sameReading}, seq>committed=${t.beyond}` +
    `${t.absorbed.length === 0 ? "" : `; absorbed: ${t.absorbed.join(", ")}`})`
  );
}

/** Prints the scenario line (the suite's report) and asserts the store-and-forward goal. */
export function expectNothingLostOrDuplicated(
  t: Tally,
  context: () => string,
  o: { print?: boolean } = {},
): void {
  const line = formatTally(t);
  if (o.print !== false) console.log(line);
  const why = () => `${line}\n${context()}`;
  expect(t.produced, `nothing was produced\n${why()}`).toBeGreaterThan(0);
  expect(t.duplicated, `duplicates\n${why()}`).toBe(0);
  expect(t.missing, `committed seqs missing at the collector\n${why()}`).toEqual([]);
  expect(t.lost, `readings lost after commit\n${why()}`).toBe(0);
}
