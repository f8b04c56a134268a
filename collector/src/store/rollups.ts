import type Database from "better-sqlite3";
import { type ChunkInput, numberOf } from "./chunk-codec.js";
import type { SeriesKey } from "./chunks.js";
import { type BucketPartial, mergePartial } from "./series-query.js";
import { ROLLUP_TIERS } from "./tiers.js";

/**
 * Folds the new readings of one series into per-bucket partial aggregates, then merges them into
 * each tier with one upsert per bucket. Merging partials is order-free, so backfill and
 * out-of-order arrivals give the same rollups as live data.
 */
export function createRollups(db: Database.Database) {
  const upserts = ROLLUP_TIERS.map((tier) => ({
    ms: tier.ms,
    stmt: db.prepare(`
      INSERT INTO ${tier.table} (gateway, device, point, bucket, n, total, lo, hi, last_ts, last)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (gateway, device, point, bucket) DO UPDATE SET
        n = n + excluded.n, total = total + excluded.total,
        lo = min(lo, excluded.lo), hi = max(hi, excluded.hi),
        last = CASE WHEN excluded.last_ts >= last_ts THEN excluded.last ELSE last END,
        last_ts = max(last_ts, excluded.last_ts)`),
  }));

  /** Good numeric readings folded into buckets of `ms`. */
  function foldReadings(readings: readonly ChunkInput[], ms: number): Map<number, BucketPartial> {
    const buckets = new Map<number, BucketPartial>();
    // Readings of one series mostly share a bucket: the last one used is checked first.
    let a: BucketPartial | undefined;
    for (const r of readings) {
      const v = numberOf(r.value);
      if (r.quality !== "good" || Number.isNaN(v)) continue;
      const t = Math.floor(r.ts / ms) * ms;
      if (a?.t !== t) a = buckets.get(t);
      if (!a) {
        a = { t, n: 1, total: v, lo: v, hi: v, lastTs: r.ts, last: v };
        buckets.set(t, a);
        continue;
      }
      a.n += 1;
      a.total += v;
      if (v < a.lo) a.lo = v;
      if (v > a.hi) a.hi = v;
      if (r.ts >= a.lastTs) {
        a.lastTs = r.ts;
        a.last = v;
      }
    }
    return buckets;
  }

  /** A finer tier's buckets folded into buckets of `ms` (a multiple of theirs). */
  function foldPartials(finer: Iterable<BucketPartial>, ms: number): Map<number, BucketPartial> {
    const buckets = new Map<number, BucketPartial>();
    for (const p of finer) {
      const t = Math.floor(p.t / ms) * ms;
      const into = buckets.get(t);
      if (into) mergePartial(into, p);
      else buckets.set(t, { ...p, t });
    }
    return buckets;
  }

  return {
    /**
     * Only good readings with a number count (bad ones are gaps, texts do not chart). The finest
     * tier folds the readings; each coarser one folds the tier below it, not the readings again.
     */
    add(s: SeriesKey, readings: readonly ChunkInput[]) {
      let finer: Map<number, BucketPartial> | undefined;
      for (const { ms, stmt } of upserts) {
        const buckets = finer ? foldPartials(finer.values(), ms) : foldReadings(readings, ms);
        for (const a of buckets.values())
          stmt.run(s.gateway, s.device, s.point, a.t, a.n, a.total, a.lo, a.hi, a.lastTs, a.last);
        finer = buckets;
      }
    },
  };
}

export type Rollups = ReturnType<typeof createRollups>;
