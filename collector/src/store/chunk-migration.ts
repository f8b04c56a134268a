import type { MigrationDb } from "@tidegate/node-kit";
import type { Quality } from "@tidegate/protocol";
import type Database from "better-sqlite3";
import { type ChunkInput, encodeChunk } from "./chunk-codec.js";
import { CHUNK_MAX } from "./chunks.js";
import { createSeqRuns } from "./seq-runs.js";

export const CHUNK_TABLES = `
  CREATE TABLE series_ids (
    id INTEGER PRIMARY KEY,
    gateway TEXT NOT NULL,
    device TEXT NOT NULL,
    point TEXT NOT NULL,
    UNIQUE (gateway, device, point)
  );
  CREATE TABLE chunks (
    id INTEGER PRIMARY KEY,
    series INTEGER NOT NULL,
    epoch INTEGER NOT NULL,
    first_seq INTEGER NOT NULL,
    t0 INTEGER NOT NULL,
    t1 INTEGER NOT NULL,
    n INTEGER NOT NULL,
    data BLOB NOT NULL
  );
  CREATE INDEX chunks_by_series ON chunks (series, t1, t0);`;

const QUALITIES: readonly Quality[] = ["good", "bad", "uncertain"];

type Row = {
  epoch: number;
  seq: number;
  ts: number;
  num: number | null;
  text: string | null;
  quality: number;
  reason: string | null;
};

/**
 * Step 10: the readings stored one row each move into chunks (per series and epoch, in time
 * order, CHUNK_MAX at a time) and which seqs are stored into seq runs; then the old table goes.
 * Read a page at a time per series, so a store of any size migrates in bounded memory.
 */
export function migrateReadingsToChunks(
  handle: MigrationDb,
  progress: (message: string) => void = () => {},
  progressEveryMs = 10_000,
): void {
  const db = handle as unknown as Database.Database;
  const total = db.prepare<[], number>("SELECT count(*) FROM readings").pluck().get() ?? 0;
  if (total > 0) progress(`moving ${total.toLocaleString("en-US")} readings into chunks`);
  let moved = 0;
  let reportAt = Date.now() + progressEveryMs;
  db.exec(CHUNK_TABLES);
  const seqRuns = createSeqRuns(db);
  const runs = db
    .prepare<[], { gateway: string; epoch: number; first: number; last: number }>(`
      SELECT gateway, epoch, min(seq) AS first, max(seq) AS last FROM (
        SELECT gateway, epoch, seq, seq - row_number() OVER (PARTITION BY gateway, epoch ORDER BY seq) AS run
        FROM readings)
      GROUP BY gateway, epoch, run`)
    .all();
  for (const r of runs) seqRuns.add(r.gateway, r.epoch, r.first, r.last);

  db.exec(
    "INSERT INTO series_ids (gateway, device, point) SELECT DISTINCT gateway, device, point FROM readings",
  );
  const series = db
    .prepare<[], { id: number; gateway: string; device: string; point: string }>(
      "SELECT id, gateway, device, point FROM series_ids",
    )
    .all();
  // Keyset pages in the series index's order (ts, then the key), so each page is one index range.
  const page = db.prepare<[string, string, string, number, number, number, number], Row>(`
    SELECT epoch, seq, ts, num, text, quality, reason FROM readings
    WHERE gateway = ? AND device = ? AND point = ? AND (ts, epoch, seq) > (?, ?, ?)
    ORDER BY ts, epoch, seq LIMIT ?`);
  const insert = db.prepare(
    "INSERT INTO chunks (series, epoch, first_seq, t0, t1, n, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const flush = (id: number, epoch: number, readings: ChunkInput[]) => {
    if (readings.length === 0) return;
    const firstSeq = Math.min(...readings.map((r) => r.seq));
    const t0 = (readings[0] as ChunkInput).ts;
    const t1 = (readings.at(-1) as ChunkInput).ts;
    insert.run(id, epoch, firstSeq, t0, t1, readings.length, encodeChunk(firstSeq, readings));
  };

  for (const s of series) {
    const open = new Map<number, ChunkInput[]>();
    let after: [number, number, number] = [Number.NEGATIVE_INFINITY, -1, -1];
    for (;;) {
      const rows = page.all(s.gateway, s.device, s.point, ...after, CHUNK_MAX);
      for (const row of rows) {
        const reading: ChunkInput = {
          seq: row.seq,
          ts: row.ts,
          value: row.text ?? row.num,
          quality: QUALITIES[row.quality] ?? "uncertain",
        };
        if (row.reason !== null) reading.reason = row.reason;
        const list = open.get(row.epoch) ?? [];
        open.set(row.epoch, list);
        list.push(reading);
        if (list.length === CHUNK_MAX) {
          flush(s.id, row.epoch, list);
          open.set(row.epoch, []);
        }
      }
      moved += rows.length;
      if (Date.now() >= reportAt) {
        reportAt = Date.now() + progressEveryMs;
        progress(
          `moved ${moved.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} readings into chunks (${Math.floor((moved / total) * 100)} %)`,
        );
      }
      const last = rows.at(-1);
      if (!last || rows.length < CHUNK_MAX) break;
      after = [last.ts, last.epoch, last.seq];
    }
    for (const [epoch, list] of open) flush(s.id, epoch, list);
  }
  db.exec("DROP TABLE readings");
}
