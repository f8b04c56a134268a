import type { Reading, SequencedReading } from "@tidegate/protocol";
import type Database from "better-sqlite3";

export const GATEWAY = "bench-gw";
/** The uplink's default batch size; the collector ingests batches of this size too. */
export const BATCH_SIZE = 500;

const DEVICES = 8;
const POINTS = 12;
const START_TS = Date.UTC(2025, 0, 1);

/**
 * Deterministic readings shaped like a Modbus poll: 8 devices x 12 points, one poll of every
 * point per 100 ms, mostly numbers, one point a boolean, one a string, and 1 in 200 a failed
 * read (quality bad, value null, reason). `start` continues the same sequence (reading `start` first).
 */
export function makeReadings(count: number, start = 0): Reading[] {
  const out: Reading[] = new Array(count);
  for (let k = 0; k < count; k++) {
    const i = start + k;
    const series = i % (DEVICES * POINTS);
    const device = `plc-${Math.floor(series / POINTS) + 1}`;
    const p = series % POINTS;
    const ts = START_TS + Math.floor(i / (DEVICES * POINTS)) * 100;
    if (i % 200 === 199) {
      out[k] = { ts, device, point: `p${p}`, value: null, quality: "bad", reason: "modbus timeout" };
    } else if (p === 0) {
      out[k] = { ts, device, point: "running", value: i % 7 !== 0, quality: "good" };
    } else if (p === 1) {
      out[k] = { ts, device, point: "mode", value: i % 3 === 0 ? "auto" : "manual", quality: "good" };
    } else {
      const value = Math.round((20 + 5 * Math.sin(i / 1000) + p) * 1000) / 1000;
      out[k] = { ts, device, point: `p${p}`, value, quality: i % 97 === 0 ? "uncertain" : "good" };
    }
  }
  return out;
}

/** The same readings with gap-free seqs starting at `firstSeq`. */
export function sequenced(readings: readonly Reading[], firstSeq = 1): SequencedReading[] {
  return readings.map((r, i) => ({ ...r, seq: firstSeq + i }));
}

/** Splits into consecutive chunks of `size` (the last one may be shorter). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The CREATE statements of `table` and its indexes as the real code made them, so a raw baseline uses the same schema. */
export function schemaOf(db: Database.Database, table: string): string {
  const rows = db
    .prepare<[string], { sql: string }>(
      "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL ORDER BY type DESC",
    )
    .all(table);
  if (rows.length === 0) throw new Error(`no table ${table} in the reference database`);
  return rows.map((r) => `${r.sql};`).join("\n");
}
