import type { Batch } from "@tidegate/protocol";
import type { Agg, BucketPartial, Plan, SeriesColumns } from "./series-query.js";
import type { SqliteStore } from "./sqlite-store.js";
import type { InsertResult, SeriesQuery, SeriesResult } from "./types.js";
import type { StoreWriter } from "./writer/index.js";

/** How the readings write path is doing, for /readyz and /metrics (InfluxDB; SQLite has none). */
export interface WriteStatus {
  /** Set while writes fail: the last error, cleared by the next successful write. */
  lastError?: string;
  failedWrites: number;
  writtenPoints: number;
  /** Points InfluxDB dropped as older than its retention policy (a backfill past retention). */
  droppedPastRetention: number;
  retries: number;
}

/**
 * Where readings are kept and charted from: the embedded SQLite store or InfluxDB. The collector's
 * registry (gateways, epochs, completeness, latest values, alerts) stays in SQLite either way.
 * Methods may answer synchronously (SQLite) or with a promise (InfluxDB).
 */
export interface ReadingsBackend {
  readonly kind: "sqlite" | "influx";
  /**
   * Stores the batches and their accounting; resolves once both are durable, so the consumer may
   * ack. Throws (or rejects) when they are not: the consumer naks and JetStream redelivers.
   */
  insertBatches(
    batches: readonly Batch[],
    receivedAt?: number,
    /** The messages the batches were decoded from, for a backend that would rather decode them itself (the writer thread). */
    encoded?: readonly Uint8Array[],
  ): InsertResult[] | Promise<InsertResult[]>;
  /** Raw readings of one series; bad readings are nulls (gaps). */
  series(q: SeriesQuery): SeriesResult | Promise<SeriesResult>;
  /** BucketPartial aggregates of good numeric readings for the buckets of `plan`. */
  partials(plan: Plan, q: Omit<SeriesQuery, "limit">): BucketPartial[] | Promise<BucketPartial[]>;
  /**
   * The chart column of `plan` on `axis` when the backend folds it itself (SQLite from a rollup
   * tier); undefined sends the caller to partials() and bucketize().
   */
  buckets?(
    plan: Plan,
    q: Omit<SeriesQuery, "limit">,
    axis: readonly number[],
    agg: Agg,
  ): SeriesColumns | undefined | Promise<SeriesColumns | undefined>;
  writeStatus?(): WriteStatus;
  close?(): Promise<void>;
}

/**
 * The SQLite store as a readings backend: raw readings and rollup tables in the same file. With a
 * `writer` (writer/), batches go to it and each read first asks it to settle the gateway's head,
 * then reads on `store`'s own connection, which sees everything committed before it asked.
 */
export function sqliteReadings(store: SqliteStore, writer?: StoreWriter): ReadingsBackend {
  if (!writer)
    return {
      kind: "sqlite",
      insertBatches: (batches, receivedAt) => store.insertBatches(batches, receivedAt),
      series: (q) => store.series(q),
      partials: (plan, q) => store.partials(plan.source, q, plan.stepMs),
      buckets: (plan, q, axis, agg) =>
        plan.source === "raw" ? undefined : store.chartBuckets(plan.source, q, plan.stepMs, axis, agg),
    };
  return {
    kind: "sqlite",
    insertBatches: (batches, receivedAt, encoded) =>
      writer.inWorker && encoded?.length === batches.length
        ? writer.insertEncoded(encoded, receivedAt)
        : writer.insertBatches(batches, receivedAt),
    series: async (q) => {
      await writer.settle(q.gateway);
      return store.series(q);
    },
    partials: async (plan, q) => {
      await writer.settle(q.gateway);
      return store.partials(plan.source, q, plan.stepMs);
    },
    buckets: async (plan, q, axis, agg) => {
      if (plan.source === "raw") return undefined;
      await writer.settle(q.gateway);
      return store.chartBuckets(plan.source, q, plan.stepMs, axis, agg);
    },
  };
}
