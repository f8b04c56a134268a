import type { Batch } from "@tidegate/protocol";
import type Database from "better-sqlite3";
import { mergePartial, type Partial } from "./series-query.js";

/** The rollup tiers kept on ingest: bucket width in ms, and the table. */
export const ROLLUP_TIERS = [
  { ms: 60_000, table: "rollup_1m" },
  { ms: 3_600_000, table: "rollup_1h" },
] as const;

/** A bucket's partial aggregate (`t` is the bucket start), and whose it is. */
interface Acc extends Partial {
  device: string;
  point: string;
}

/**
 * Folds the readings of a batch that were really inserted (not repeats) into per-bucket partial
 * aggregates, then merges them into each tier with one upsert per series and bucket. Merging
 * partials is order-free, so backfill and out-of-order arrivals give the same rollups as live data.
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

  return {
    /** `inserted[i]` says whether batch.readings[i] was new; only new good numbers count. */
    add(batch: Batch, inserted: readonly boolean[]) {
      const accs = upserts.map(() => new Map<string, Acc>());
      batch.readings.forEach((r, i) => {
        if (!inserted[i] || r.quality !== "good") return;
        const v =
          typeof r.value === "number" ? r.value : typeof r.value === "boolean" ? Number(r.value) : null;
        if (v === null) return;
        upserts.forEach(({ ms }, k) => {
          const t = Math.floor(r.ts / ms) * ms;
          const one: Partial = { t, n: 1, total: v, lo: v, hi: v, lastTs: r.ts, last: v };
          const key = `${r.device}\u0000${r.point}\u0000${t}`;
          const tier = accs[k] as Map<string, Acc>;
          const a = tier.get(key);
          if (a) mergePartial(a, one);
          else tier.set(key, { device: r.device, point: r.point, ...one });
        });
      });
      upserts.forEach(({ stmt }, k) => {
        for (const a of (accs[k] as Map<string, Acc>).values())
          stmt.run(batch.gateway, a.device, a.point, a.t, a.n, a.total, a.lo, a.hi, a.lastTs, a.last);
      });
    },
  };
}
