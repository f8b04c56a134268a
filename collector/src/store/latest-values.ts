import type { ReadingValue } from "@tidegate/protocol";
import type Database from "better-sqlite3";
import { type ByThree, entry3 } from "./nested-maps.js";

/**
 * A series' newest value is written to the `series` table at most once per this long. A fleet
 * sends every series every second; upserting each one on every commit was 40 % of what a
 * reading cost the store (collector.ingest.fleet_shaped), and a commit is time the API waits.
 * Reads never see the delay: a gateway's values are written before its points are read.
 */
export const LATEST_WRITE_AFTER_MS = 10_000;

interface Entry {
  device: string;
  point: string;
  ts: number;
  value: ReadingValue | null;
}

interface Pending {
  /** When the oldest unwritten value arrived: gateways are written in this order. */
  since: number;
  entries: Set<Entry>;
}

/**
 * The newest value per series, kept in memory and written to the `series` table in arrears.
 * Every method that writes must run inside the caller's transaction. The table keeps its
 * guard (`excluded.last_ts >= series.last_ts`): a value older than one another collector wrote
 * on the same file never replaces it.
 */
export function createLatestValues(db: Database.Database) {
  const upsertSeries = db.prepare(`
    INSERT INTO series (gateway, device, point, last_ts, last_value) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (gateway, device, point) DO UPDATE SET last_ts = excluded.last_ts, last_value = excluded.last_value
    WHERE excluded.last_ts >= series.last_ts`);
  const known: ByThree<Entry> = new Map();
  // Map order is insertion order: a gateway is deleted when written and set again when it next
  // changes, so the first gateways are always the ones waiting longest.
  const pending = new Map<string, Pending>();

  function writeGateway(gateway: string, waiting: Pending): number {
    for (const e of waiting.entries)
      upsertSeries.run(gateway, e.device, e.point, e.ts, JSON.stringify(e.value));
    pending.delete(gateway);
    return waiting.entries.size;
  }

  return {
    /** Keeps `value` as the series' newest unless a newer one is known. */
    note(gateway: string, device: string, point: string, ts: number, value: ReadingValue | null, at: number) {
      const entry = entry3(known, gateway, device, point, () => ({ device, point, ts, value }));
      if (ts < entry.ts) return;
      entry.ts = ts;
      entry.value = value;
      let waiting = pending.get(gateway);
      if (!waiting) {
        waiting = { since: at, entries: new Set() };
        pending.set(gateway, waiting);
      }
      waiting.entries.add(entry);
    },
    /**
     * Writes the values of gateways that waited at least LATEST_WRITE_AFTER_MS, oldest first,
     * until about `maxRows` rows are written; returns how many.
     */
    writeDue(now: number, maxRows: number): number {
      let rows = 0;
      for (const [gateway, waiting] of pending) {
        if (rows >= maxRows || now - waiting.since < LATEST_WRITE_AFTER_MS) break;
        rows += writeGateway(gateway, waiting);
      }
      return rows;
    },
    /** Writes one gateway's values now (before its points are read). */
    writeGateway(gateway: string): number {
      const waiting = pending.get(gateway);
      return waiting ? writeGateway(gateway, waiting) : 0;
    },
    /** Writes every value not written yet (closing the store). */
    writeAll(): number {
      let rows = 0;
      for (const [gateway, waiting] of pending) rows += writeGateway(gateway, waiting);
      return rows;
    },
    /** Whether `gateway` has values not written yet. */
    waits: (gateway: string): boolean => pending.has(gateway),
    /** Whether any value is not written yet. */
    waiting: (): boolean => pending.size > 0,
  };
}

export type LatestValues = ReturnType<typeof createLatestValues>;
