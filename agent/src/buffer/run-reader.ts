import type { BatchColumns } from "@tidegate/protocol";
import type Database from "better-sqlite3";

/**
 * Reads unsent runs straight into the batch wire's columns (encodeBatchColumns), which is what
 * the uplink sends: SQLite joins the value and quality columns into JSON text itself, so a run
 * costs no JS object per reading and no JSON.parse of stored values. Stored values are the
 * JSON.stringify of the reading's value (commit in buffer.ts), so they go on the wire as they are
 * and the bytes equal encodeBatch's for the readings readUnsent returns.
 */
export function createRunReader(db: Database.Database) {
  const q = {
    firstAfter: db
      .prepare<[number, number], number>(
        "SELECT seq FROM readings WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT 1",
      )
      .pluck(true),
    // SQLite counts the candidate rows without handing them to JS: a full count means no gap.
    span: db
      .prepare<[number, number], [number, number]>(
        "SELECT count(*), max(seq) FROM readings WHERE seq BETWEEN ? AND ?",
      )
      .raw(true),
    // The first row of [first, last] whose successor is missing ends the contiguous run.
    runEnd: db
      .prepare<[number, number], number>(
        "SELECT seq FROM readings r WHERE seq BETWEEN ? AND ? AND NOT EXISTS (SELECT 1 FROM readings n WHERE n.seq = r.seq + 1) ORDER BY seq LIMIT 1",
      )
      .pluck(true),
    ts: db
      .prepare<[number, number], number>("SELECT ts FROM readings WHERE seq BETWEEN ? AND ? ORDER BY seq")
      .pluck(true),
    // One pass builds the text columns; the ordered subquery feeds the aggregates in seq order (a
    // rowid range scan, no sort). json_array keeps device and point apart whatever they hold, and
    // escapes control characters, so a newline can only be the separator. Unknown quality codes
    // read as uncertain (2) and empty reasons are left out, as readUnsent and encodeBatch do.
    columns: db
      .prepare<[number, number], [string, string, string, string]>(
        `SELECT group_concat(json_array(device, point), char(10)),
                group_concat(coalesce(value, 'null'), ','),
                group_concat(iif(quality IN (0, 1, 2), quality, 2), ','),
                json_group_array(json_array(seq, reason)) FILTER (WHERE reason <> '')
         FROM (SELECT seq, device, point, value, quality, reason FROM readings WHERE seq BETWEEN ? AND ? ORDER BY seq)`,
      )
      .raw(true),
  };

  /** The contiguous run after `afterSeq`, at most `limit` long and not past `throughSeq`. */
  return function readRun(
    afterSeq: number,
    limit: number,
    throughSeq = Number.MAX_SAFE_INTEGER,
  ): BatchColumns | undefined {
    const first = limit >= 1 ? q.firstAfter.get(afterSeq, throughSeq) : undefined;
    if (first === undefined) return undefined;
    const [count, max] = q.span.get(first, Math.min(first + limit - 1, throughSeq)) as [number, number];
    const last = max - first + 1 === count ? max : (q.runEnd.get(first, max) ?? first);

    const [keys, valJson, qJson, reasons] = q.columns.get(first, last) as [string, string, string, string];
    const seriesIndex = new Map<string, number>();
    const series: [string, string][] = [];
    const s: number[] = [];
    for (const key of keys.split("\n")) {
      let idx = seriesIndex.get(key);
      if (idx === undefined) {
        idx = series.length;
        series.push(JSON.parse(key) as [string, string]);
        seriesIndex.set(key, idx);
      }
      s.push(idx);
    }
    const r: Record<number, string> = {};
    for (const [seq, reason] of JSON.parse(reasons) as [number, string][]) r[seq - first] = reason;
    return { first, last, series, s, ts: q.ts.all(first, last), valJson, qJson, r };
  };
}
