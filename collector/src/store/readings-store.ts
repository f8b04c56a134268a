import type { Batch } from "@tidegate/protocol";
import type Database from "better-sqlite3";
import { QUALITY } from "./chunk-codec.js";
import { createChunks, type SeriesKey } from "./chunks.js";
import { createHead } from "./head.js";
import { createIngest } from "./ingest.js";
import type { LatestValues } from "./latest-values.js";
import { createRollupBuckets } from "./rollup-buckets.js";
import { createRollups } from "./rollups.js";
import { createSeqRuns } from "./seq-runs.js";
import { type BucketPartial, mergePartial, type Source } from "./series-query.js";
import { storedReadingCount } from "./stored-readings.js";
import { ROLLUP_TIERS, type RollupTable, tierOf } from "./tiers.js";
import type { InsertResult, SeriesQuery, SeriesResult } from "./types.js";

/** Latest values per idle write at most: one short transaction (the collector's timer repeats it). */
const LATEST_ROWS_PER_WRITE = 5000;

/**
 * Readings in the SQLite file: ingest (chunks, head, rollups, seq runs and the registry's counters
 * in one transaction), the reads charts make, and what retention deletes.
 */
export function createReadingsStore(
  db: Database.Database,
  latest: LatestValues,
  options: { settleOnRead?: boolean } = {},
) {
  const settleOnRead = options.settleOnRead ?? true;
  const chunks = createChunks(db);
  const rollups = createRollups(db);
  const head = createHead(db, { chunks, rollups });
  const rollupBuckets = createRollupBuckets(db);
  const seqRuns = createSeqRuns(db);
  const { insertMany, recordMany } = createIngest(db, { chunks, rollups, head, seqRuns, latest });
  const writeDueLatest = db.transaction((now: number) => latest.writeDue(now, LATEST_ROWS_PER_WRITE));
  const selectRollup = Object.fromEntries(
    ROLLUP_TIERS.map((tier) => [
      tier.table,
      db.prepare<
        [string, string, string, number, number],
        { bucket: number; n: number; total: number; lo: number; hi: number; last_ts: number; last: number }
      >(
        `SELECT bucket, n, total, lo, hi, last_ts, last FROM ${tier.table} WHERE gateway = ? AND device = ? AND point = ? AND bucket >= ? AND bucket <= ? ORDER BY bucket`,
      ),
    ]),
  );
  // Row values and a LIMIT inside: each delete is one short transaction that uses the series index.
  const pruneRollups = Object.fromEntries(
    ROLLUP_TIERS.map((tier) => [
      tier.table,
      db.prepare(`DELETE FROM ${tier.table} WHERE (gateway, device, point, bucket) IN (
          SELECT gateway, device, point, bucket FROM ${tier.table} WHERE gateway = ? AND device = ? AND point = ? AND bucket < ? LIMIT ?)`),
    ]),
  ) as Record<RollupTable, Database.Statement>;
  const settleNow = db.transaction((gateway: string) => head.settle(gateway));
  const settleEvery = db.transaction(() => head.settleAll());
  const moveOneDue = db.transaction((now: number) => head.moveOneDue(now));
  /** Reads of a series see its readings in chunks and rollups: a head the gateway has moves first. */
  function settle(gateway: string): void {
    if (head.holds(gateway)) settleNow.immediate(gateway);
  }
  const settleForRead = (gateway: string) => settleOnRead && settle(gateway);

  /** Good numbers of a series as partials: one per reading, or folded into buckets of `stepMs`. */
  function rawPartials(q: Omit<SeriesQuery, "limit">, stepMs: number): BucketPartial[] {
    const each: BucketPartial[] = [];
    const buckets = new Map<number, BucketPartial>();
    chunks.scan(q, q.from, q.to, (ts, num, quality) => {
      if (quality !== QUALITY.good || Number.isNaN(num)) return;
      const one: BucketPartial = { t: ts, n: 1, total: num, lo: num, hi: num, lastTs: ts, last: num };
      if (stepMs <= 1) return void each.push(one);
      one.t = ts - (ts % stepMs);
      const into = buckets.get(one.t);
      if (into) mergePartial(into, one);
      else buckets.set(one.t, one);
    });
    return (stepMs <= 1 ? each : [...buckets.values()]).sort((a, b) => a.t - b.t);
  }

  return {
    // Immediate: the write lock comes first, so a second collector on the same file waits instead
    // of failing between its read of the seq runs and its write.
    insertBatch: (batch: Batch, receivedAt = Date.now()): InsertResult =>
      insertMany.immediate([batch], receivedAt)[0] as InsertResult,
    /** Several batches in one transaction: all are stored, or none. */
    insertBatches: (batches: readonly Batch[], receivedAt = Date.now()): InsertResult[] =>
      insertMany.immediate(batches, receivedAt),
    /**
     * For readings written to another store first: records which seqs are now stored and keeps the
     * registry (latest values, gateways, completeness counters) in one transaction.
     */
    recordBatches: (batches: readonly Batch[], receivedAt = Date.now()): InsertResult[] =>
      recordMany.immediate(batches, receivedAt),
    /** Whether every seq of the batch is recorded already (then it needs no write at all). */
    isRecorded: (b: Batch): boolean =>
      seqRuns.covered(b.gateway, b.epoch, b.firstSeq, b.lastSeq) === b.lastSeq - b.firstSeq + 1,
    /** Bad readings are gaps (null), never values. */
    series(q: SeriesQuery): SeriesResult {
      settleForRead(q.gateway);
      const rows = chunks.ordered(q, q.from, q.to, q.limit ?? 100_000);
      return {
        ts: rows.map((r) => r.ts),
        values: rows.map((r) => (r.quality === QUALITY.bad || Number.isNaN(r.num) ? null : r.num)),
      };
    },
    /**
     * Partial aggregates of a series for chart buckets: a rollup tier's rows, or raw readings, with
     * `stepMs` already folded into buckets of that step (on the same grid as `grid()`: multiples of
     * the step). Charts from a rollup tier fold in SQL instead (chartBuckets).
     */
    partials(source: Source, q: Omit<SeriesQuery, "limit">, stepMs = 0): BucketPartial[] {
      settleForRead(q.gateway);
      if (source === "raw") return rawPartials(q, stepMs);
      const tierMs = tierOf(source).ms;
      return (selectRollup[source] as (typeof selectRollup)[string])
        .all(q.gateway, q.device, q.point, Math.floor(q.from / tierMs) * tierMs, q.to)
        .map((r) => ({
          t: r.bucket,
          n: r.n,
          total: r.total,
          lo: r.lo,
          hi: r.hi,
          lastTs: r.last_ts,
          last: r.last,
        }));
    },
    /** Chart buckets of a rollup tier, folded and aggregated in SQL (see rollup-buckets.ts). */
    chartBuckets(...args: Parameters<typeof rollupBuckets>): ReturnType<typeof rollupBuckets> {
      settleForRead(args[1].gateway);
      return rollupBuckets(...args);
    },
    /** Moves the gateway's head into chunks and rollups, if it has one (before another connection reads it). */
    settle,
    /** Moves one overdue gateway's head (see head.ts), in its own short transaction; false when none is due. */
    moveOneDueHead: (now: number): boolean => moveOneDue.immediate(now),
    /**
     * Writes latest values that waited long enough, when no commit came to write them (ingest
     * paused); returns how many.
     */
    writeDueLatest: (now: number = Date.now()): number =>
      latest.waiting() ? writeDueLatest.immediate(now) : 0,
    /** Moves every gateway's waiting readings into chunks and rollups (tools, benchmarks); returns how many. */
    settleAll: (): number => settleEvery.immediate(),
    /**
     * Up to `limit` series with an id above `afterId`, in id order: what retention walks a page at
     * a time (every series with readings in chunks or the head has an id; rollups follow chunks).
     */
    seriesAfter: (afterId: number, limit: number) => chunks.seriesAfter(afterId, limit),
    /**
     * Deletes at most `limit` rows of one series older than `before` from `table`: rollup rows, or
     * chunks whose newest reading is older. Returns the rows deleted and what they held.
     */
    pruneChunk(
      table: "readings" | RollupTable,
      s: SeriesKey,
      before: number,
      limit: number,
    ): { rows: number; count: number } {
      if (table === "readings") {
        const gone = chunks.prune(s, before, limit);
        return { rows: gone.chunks, count: gone.readings };
      }
      const rows = pruneRollups[table].run(s.gateway, s.device, s.point, before, limit).changes;
      return { rows, count: rows };
    },
    /** Readings stored for a gateway, in chunks and head (checks and tests). */
    countReadings: (gateway: string): number => storedReadingCount(db, gateway),
  };
}

export type ReadingsStore = ReturnType<typeof createReadingsStore>;
