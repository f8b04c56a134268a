import type { BatchColumns } from "@tidegate/protocol";
import type Database from "better-sqlite3";

/**
 * The values' JSON, comma-separated, as encodeBatch writes them one by one: numbers (and nulls)
 * in runs through one JSON.stringify each, which writes doubles natively and exactly as
 * JSON.stringify(value) does (NaN and Infinity as null); stored JSON text as it is.
 */
export function valuesJson(values: readonly (number | string | null)[]): string {
  let out = "";
  let from = 0;
  const numbers = (to: number) => {
    if (to <= from) return;
    const json = JSON.stringify(from === 0 && to === values.length ? values : values.slice(from, to));
    out += (out === "" ? "" : ",") + json.slice(1, -1);
  };
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "string") continue;
    numbers(i);
    out += (out === "" ? "" : ",") + v; // JSON text is never empty
    from = i + 1;
  }
  numbers(values.length);
  return out;
}

/**
 * Reads unsent runs straight into the batch wire's columns (encodeBatchColumns), which is what
 * the uplink sends: SQLite joins the series and quality columns into text itself, so a run costs
 * no JS object per reading and no JSON.parse of stored values. Numbers come back from their REAL
 * column as the doubles the agent measured; other values are stored as their JSON and go on the
 * wire as they are, so the bytes equal encodeBatch's for the readings the file holds.
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
    // A number as the double SQLite holds, any other value as its JSON text, NULL for none.
    values: db
      .prepare<[number, number], number | string | null>(
        "SELECT coalesce(num, value) FROM readings WHERE seq BETWEEN ? AND ? ORDER BY seq",
      )
      .pluck(true),
    // One pass builds the text columns; the ordered subquery feeds the aggregates in seq order (a
    // rowid range scan, no sort). json_array keeps device and point apart whatever they hold, and
    // escapes control characters, so a newline can only be the separator. Unknown quality codes
    // read as uncertain (2) and empty reasons are left out, as readUnsent and encodeBatch do.
    columns: db
      .prepare<[number, number], [string, string, string]>(
        `SELECT group_concat(json_array(device, point), char(10)),
                group_concat(iif(quality IN (0, 1, 2), quality, 2), ','),
                json_group_array(json_array(seq, reason)) FILTER (WHERE reason <> '')
         FROM (SELECT seq, device, point, quality, reason FROM readings WHERE seq BETWEEN ? AND ? ORDER BY seq)`,
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

    const [keys, qJson, reasons] = q.columns.get(first, last) as [string, string, string];
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
    const valJson = valuesJson(q.values.all(first, last));
    return { first, last, series, s, ts: q.ts.all(first, last), valJson, qJson, r };
  };
}
