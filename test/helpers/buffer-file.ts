import type { ReadingValue, SequencedReading } from "@tidegate/protocol";
import Database from "better-sqlite3";
import type { ReadingRow } from "../../agent/src/buffer/schema.js";

const QUALITIES = ["good", "bad", "uncertain"] as const;

/**
 * The unsent readings an agent's buffer file holds after `afterSeq`, up to `limit`, stopping at the
 * first seq gap (what one batch may carry), read straight from the file by a second connection:
 * the oracle the buffer's own read path (readRun) is checked against.
 */
export function unsentReadings(path: string, afterSeq: number, limit: number): SequencedReading[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare<[number, number], ReadingRow>(
        "SELECT seq, ts, device, point, num, value, quality, reason FROM readings WHERE seq > ? ORDER BY seq LIMIT ?",
      )
      .all(afterSeq, limit);
    const run: SequencedReading[] = [];
    for (const row of rows) {
      if (run.length > 0 && row.seq !== (run.at(-1) as SequencedReading).seq + 1) break;
      const reading: SequencedReading = {
        seq: row.seq,
        ts: row.ts,
        device: row.device,
        point: row.point,
        value: row.num ?? (row.value === null ? null : (JSON.parse(row.value) as ReadingValue)),
        quality: QUALITIES[row.quality] ?? "uncertain",
      };
      if (row.reason !== null) reading.reason = row.reason;
      run.push(reading);
    }
    return run;
  } finally {
    db.close();
  }
}
