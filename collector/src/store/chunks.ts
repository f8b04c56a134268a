import type Database from "better-sqlite3";
import {
  appendChunk,
  type ChunkInput,
  type ChunkReading,
  decodeChunk,
  encodeChunk,
  fitsChunk,
  scanChunk,
} from "./chunk-codec.js";
import { type ByThree, entry3 } from "./nested-maps.js";

/** A chunk takes more readings by append until it holds this many; then the next one starts. */
export const CHUNK_GROW_TO = 128;
/**
 * Only groups smaller than this grow a chunk (live data: a reading or two per series and batch).
 * A bigger group is written whole: one statement, appended at the end of the table, instead of a
 * read and a rewrite of a row in the middle of it.
 */
export const GROW_BELOW = 4;
/** A larger group (a big batch of one series) is split into chunks of at most this many. */
export const CHUNK_MAX = 1024;

export interface SeriesKey {
  gateway: string;
  device: string;
  point: string;
}

/**
 * Readings stored as chunks: one row per series, gateway epoch and run of arrivals. Small batches
 * (live data) grow the series' newest chunk; bigger ones (backfill, bursts) make chunks of their own.
 * One index (by series and time): each index is one more page per series that every commit dirties.
 * Which seqs are stored is kept apart (seq runs), so nothing here needs an index per reading.
 * Every write happens inside the caller's (immediate) transaction.
 */
export function createChunks(db: Database.Database) {
  // By gateway, device, then point: no key string built per lookup (one per reading under a fleet).
  const ids: ByThree<number> = new Map();
  const keys = new Map<number, SeriesKey>();
  const findSeries = db
    .prepare<[string, string, string], number>(
      "SELECT id FROM series_ids WHERE gateway = ? AND device = ? AND point = ?",
    )
    .pluck();
  const keyById = db.prepare<[number], SeriesKey>(
    "SELECT gateway, device, point FROM series_ids WHERE id = ?",
  );
  const idsAfter = db.prepare<[number, number], { id: number } & SeriesKey>(
    "SELECT id, gateway, device, point FROM series_ids WHERE id > ? ORDER BY id LIMIT ?",
  );
  // OR IGNORE: a second collector on the same file may have added the series a moment ago.
  const addSeries = db.prepare("INSERT OR IGNORE INTO series_ids (gateway, device, point) VALUES (?, ?, ?)");
  // The series' newest chunk: live data, a few readings per batch, grows it.
  const newest = db.prepare<
    [number],
    { id: number; epoch: number; first_seq: number; n: number; t0: number; t1: number; data: Buffer }
  >("SELECT id, epoch, first_seq, n, t0, t1, data FROM chunks WHERE series = ? ORDER BY t1 DESC LIMIT 1");
  const insert = db.prepare(
    "INSERT INTO chunks (series, epoch, first_seq, t0, t1, n, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const grow = db.prepare("UPDATE chunks SET t0 = ?, t1 = ?, n = ?, data = ? WHERE id = ?");
  const overlapping = db.prepare<[number, number, number], { first_seq: number; data: Buffer }>(
    "SELECT first_seq, data FROM chunks WHERE series = ? AND t1 >= ? AND t0 <= ?",
  );
  // In order of first time, from the index alone (sorting rows with their data would read every
  // chunk); `ordered` then reads chunks one by one and stops early.
  const overlappingByStart = db.prepare<[number, number, number], { id: number; t0: number }>(
    "SELECT id, t0 FROM chunks WHERE series = ? AND t1 >= ? AND t0 <= ? ORDER BY t0",
  );
  const dataOf = db.prepare<[number], { data: Buffer }>("SELECT data FROM chunks WHERE id = ?");
  const prune = db.prepare<[number, number, number], { n: number }>(
    "DELETE FROM chunks WHERE id IN (SELECT id FROM chunks WHERE series = ? AND t1 < ? LIMIT ?) RETURNING n",
  );

  function seriesId(s: SeriesKey, create: boolean): number | undefined {
    let id = ids.get(s.gateway)?.get(s.device)?.get(s.point);
    if (id !== undefined) return id;
    id = findSeries.get(s.gateway, s.device, s.point);
    if (id === undefined && create) {
      addSeries.run(s.gateway, s.device, s.point);
      id = findSeries.get(s.gateway, s.device, s.point);
    }
    if (id !== undefined) entry3(ids, s.gateway, s.device, s.point, () => id);
    return id;
  }

  function span(readings: readonly ChunkInput[]): { t0: number; t1: number; firstSeq: number } {
    let t0 = Number.POSITIVE_INFINITY;
    let t1 = Number.NEGATIVE_INFINITY;
    let firstSeq = Number.POSITIVE_INFINITY;
    for (const r of readings) {
      if (r.ts < t0) t0 = r.ts;
      if (r.ts > t1) t1 = r.ts;
      if (r.seq < firstSeq) firstSeq = r.seq;
    }
    return { t0, t1, firstSeq };
  }

  /**
   * Grows the series' newest chunk while it is small, of the same epoch, and the readings' seqs
   * come after its first (a backfill of older seqs gets chunks of its own). `fill`: any group
   * that fits grows it (readings moving from the head, a few times an hour per series).
   */
  function tryGrow(series: number, epoch: number, readings: readonly ChunkInput[], fill: boolean): boolean {
    if (!fill && readings.length >= GROW_BELOW) return false;
    const last = newest.get(series);
    if (!last || last.epoch !== epoch || last.n + readings.length > CHUNK_GROW_TO) return false;
    if (!fitsChunk(last.first_seq, readings)) return false;
    const { t0, t1 } = span(readings);
    grow.run(
      Math.min(t0, last.t0),
      Math.max(t1, last.t1),
      last.n + readings.length,
      appendChunk(last.data, last.first_seq, readings),
      last.id,
    );
    return true;
  }

  return {
    seriesId,
    /** The series an id names (ids are never reused). */
    keyOf(series: number): SeriesKey {
      let key = keys.get(series);
      if (key) return key;
      key = keyById.get(series);
      if (!key) throw new Error(`series ${series} is not in series_ids: the store file is damaged`);
      keys.set(series, key);
      return key;
    },
    /** Stores the readings (not stored before) of one series of one gateway epoch. */
    write(
      s: SeriesKey,
      epoch: number,
      readings: readonly ChunkInput[],
      options: { fill?: boolean } = {},
    ): void {
      if (readings.length === 0) return;
      const series = seriesId(s, true) as number;
      if (tryGrow(series, epoch, readings, options.fill ?? false)) return;
      for (let i = 0; i < readings.length; i += CHUNK_MAX) {
        const part = readings.slice(i, i + CHUNK_MAX);
        const { t0, t1, firstSeq } = span(part);
        insert.run(series, epoch, firstSeq, t0, t1, part.length, encodeChunk(firstSeq, part));
      }
    },
    /** Visits the time, number and quality of every reading of a series with from ≤ ts ≤ to (chunk order). */
    scan(s: SeriesKey, from: number, to: number, visit: (ts: number, num: number, quality: number) => void) {
      const series = seriesId(s, false);
      if (series === undefined) return;
      for (const c of overlapping.iterate(series, from, to))
        scanChunk(c.data, (ts, num, quality) => {
          if (ts >= from && ts <= to) visit(ts, num, quality);
        });
    },
    /**
     * The first `limit` readings of a series with from ≤ ts ≤ to, in time order. Chunks come in
     * order of their first time, so once `limit` readings are in hand a chunk starting after the
     * last of them ends the scan: a sparse check on a month of 1 Hz data reads a chunk or two.
     */
    ordered(
      s: SeriesKey,
      from: number,
      to: number,
      limit: number,
    ): { ts: number; num: number; quality: number }[] {
      const series = seriesId(s, false);
      if (series === undefined || limit <= 0) return [];
      let rows: { ts: number; num: number; quality: number }[] = [];
      for (const c of overlappingByStart.all(series, from, to)) {
        if (rows.length >= limit && c.t0 > (rows[limit - 1] as { ts: number }).ts) break;
        const chunk = dataOf.get(c.id);
        if (!chunk) continue;
        scanChunk(chunk.data, (ts, num, quality) => {
          if (ts >= from && ts <= to) rows.push({ ts, num, quality });
        });
        if (rows.length >= limit) rows = rows.sort((a, b) => a.ts - b.ts).slice(0, limit);
      }
      return rows.sort((a, b) => a.ts - b.ts);
    },
    /** Every stored reading of a series, whole, in the order stored (checks and tools). */
    readings(s: SeriesKey): ChunkReading[] {
      const series = seriesId(s, false);
      if (series === undefined) return [];
      return overlapping
        .all(series, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY)
        .flatMap((c) => decodeChunk(c.data, c.first_seq));
    },
    /** Deletes up to `limit` chunks of a series whose newest reading is older than `before`. */
    /** Up to `limit` series with an id above `afterId`, in id order: every series with stored readings. */
    seriesAfter: (afterId: number, limit: number): ({ id: number } & SeriesKey)[] =>
      idsAfter.all(afterId, limit),
    prune(s: SeriesKey, before: number, limit: number): { chunks: number; readings: number } {
      const series = seriesId(s, false);
      if (series === undefined) return { chunks: 0, readings: 0 };
      const gone = prune.all(series, before, limit);
      return { chunks: gone.length, readings: gone.reduce((n, c) => n + c.n, 0) };
    },
  };
}

export type Chunks = ReturnType<typeof createChunks>;
