import { createBackoff } from "@tidegate/node-kit";
import type { Batch } from "@tidegate/protocol";
import type { Logger } from "pino";
import type { ReadingsBackend } from "../backend.js";
import type { SqliteStore } from "../sqlite-store.js";
import type { InsertResult } from "../types.js";
import { partialsQuery, seriesQuery, toPartials, toSeriesResult } from "./influxql.js";
import { batchLines } from "./lines.js";
import { createInfluxQL } from "./query.js";
import { applyRetention } from "./retention.js";
import type { InfluxSettings } from "./settings.js";
import { createInfluxWriter, type WriterTuning } from "./writer.js";

export type { InfluxSettings } from "./settings.js";

export interface InfluxReadingsOptions {
  /** InfluxDB 1.x: create the database and a default retention policy of this many days (0: forever). */
  retentionDays?: number;
  tuning?: Partial<WriterTuning>;
}

/**
 * Readings in InfluxDB, accounting in the SQLite registry. A batch is written to InfluxDB first
 * and recorded in SQLite only once InfluxDB took it; a batch whose seqs are all recorded is not
 * written again. InfluxDB overwrites a point with the same series and timestamp, so a write
 * repeated after a crash between the two steps stores nothing twice either.
 */
export function createInfluxReadings(
  settings: InfluxSettings,
  registry: Pick<SqliteStore, "isRecorded"> & {
    /** The store writer's, or the store's own (tests): either may answer later. */
    recordBatches(batches: readonly Batch[], receivedAt?: number): InsertResult[] | Promise<InsertResult[]>;
  },
  log: Logger,
  options: InfluxReadingsOptions = {},
) {
  const writer = createInfluxWriter(settings, options.tuning, log);
  const ql = createInfluxQL(settings);
  let stopped = false;
  let setup: Promise<void> | undefined;

  const backend: ReadingsBackend = {
    kind: "influx",
    async insertBatches(batches, receivedAt) {
      const fresh = batches.filter((b) => !registry.isRecorded(b));
      if (fresh.length > 0) await writer.write(batchLines(fresh));
      return registry.recordBatches(batches, receivedAt);
    },
    async series(q) {
      const [result] = await ql.query(seriesQuery(q));
      return toSeriesResult(result);
    },
    async partials(plan, q) {
      const [result] = await ql.query(partialsQuery(q, plan.stepMs));
      return toPartials(result);
    },
    writeStatus: () => writer.status(),
  };

  return {
    ...backend,
    async close() {
      stopped = true; // a retention setup still retrying ends at its next turn
      await writer.close();
    },
    /** Applies the retention policy, retrying with backoff while InfluxDB is not reachable. */
    start() {
      const days = options.retentionDays;
      if (days === undefined || setup) return;
      setup = (async () => {
        const backoff = createBackoff({ initialMs: 500, maxMs: 15_000 });
        while (!stopped) {
          try {
            await applyRetention(ql, settings.db, days);
            log.info({ db: settings.db, days }, "InfluxDB retention policy applied");
            return;
          } catch (err) {
            const delayMs = backoff.next();
            log.warn({ delayMs }, `${(err as Error).message}; retrying the retention policy`);
            await new Promise((r) => setTimeout(r, delayMs).unref());
          }
        }
      })();
    },
  };
}
