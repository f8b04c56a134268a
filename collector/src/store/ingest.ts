import type { Batch, SequencedReading } from "@tidegate/protocol";
import type Database from "better-sqlite3";
import { type Chunks, GROW_BELOW, type SeriesKey } from "./chunks.js";
import type { Head } from "./head.js";
import type { LatestValues } from "./latest-values.js";
import { entry } from "./nested-maps.js";
import type { Rollups } from "./rollups.js";
import type { createSeqRuns } from "./seq-runs.js";
import type { InsertResult } from "./types.js";

/** Latest values written per commit at least, when they waited long enough (latest-values.ts). */
const LATEST_ROWS_PER_COMMIT = 1000;

/**
 * Ingest into the store: the readings of a commit's batches that no seq run covers yet go into
 * chunks and rollups, or, when a gateway's share of the commit is a reading or two per series
 * (live data from a fleet), into the head, which moves them into chunks and rollups in bulk;
 * every mode keeps the latest values, gateways and completeness counters. The transactions
 * returned are run `.immediate` by the store.
 */
export function createIngest(
  db: Database.Database,
  parts: {
    chunks: Chunks;
    rollups: Rollups;
    head: Head;
    seqRuns: ReturnType<typeof createSeqRuns>;
    latest: LatestValues;
  },
) {
  const { chunks, rollups, head, seqRuns, latest } = parts;
  const touchGateway = db.prepare(`
    INSERT INTO gateways (id, last_seen, wire_version, first_seen) VALUES (@id, @at, @wire, @at)
    ON CONFLICT (id) DO UPDATE SET last_seen = max(coalesce(last_seen, 0), excluded.last_seen),
      wire_version = coalesce(excluded.wire_version, wire_version)`);
  // Counters kept on ingest so completeness (stored, highest seq) is answered without scanning readings.
  const countEpoch = db.prepare(`
    INSERT INTO gateway_epochs (gateway, epoch, max_seq, stored, last_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (gateway, epoch) DO UPDATE SET max_seq = max(max_seq, excluded.max_seq),
      stored = stored + excluded.stored, last_at = max(last_at, excluded.last_at)`);
  /**
   * What every store mode keeps: the newest value per series (in memory, written to the table in
   * arrears: latest-values.ts), the gateways, and each epoch's counters.
   */
  function register(batches: readonly Batch[], inserted: readonly number[], receivedAt: number) {
    let readings = 0;
    for (const batch of batches) {
      readings += batch.readings.length;
      for (const r of batch.readings)
        if (r.quality !== "bad") latest.note(batch.gateway, r.device, r.point, r.ts, r.value, receivedAt);
    }
    // Twice the commit's own readings, so the values waiting are written faster than they come.
    latest.writeDue(receivedAt, Math.max(LATEST_ROWS_PER_COMMIT, 2 * readings));
    batches.forEach((batch, i) => {
      touchGateway.run({ id: batch.gateway, at: receivedAt, wire: batch.wireVersion ?? null });
      countEpoch.run(batch.gateway, batch.epoch, batch.lastSeq, inserted[i] ?? 0, receivedAt);
    });
  }

  type Group = { key: SeriesKey; epoch: number; readings: SequencedReading[] };
  /** Gateway and epoch, then device and point. */
  type Groups = Map<string, Map<string, Map<string, Map<string, Group>>>>;

  /**
   * Adds the readings of a batch not stored before to `groups` (by gateway, epoch and series, so
   * the batches of one commit make one chunk per series) and marks its seqs stored; returns how many.
   */
  function gatherNew(batch: Batch, groups: Groups): number {
    const ofEpoch = entry(
      groups,
      batch.gateway,
      String(batch.epoch),
      () => new Map<string, Map<string, Group>>(),
    );
    let added = 0;
    for (const [first, last] of seqRuns.claim(batch.gateway, batch.epoch, batch.firstSeq, batch.lastSeq)) {
      for (let i = first - batch.firstSeq; i <= last - batch.firstSeq; i++) {
        const r = batch.readings[i];
        if (!r) continue;
        entry(ofEpoch, r.device, r.point, () => ({
          key: { gateway: batch.gateway, device: r.device, point: r.point },
          epoch: batch.epoch,
          readings: [] as SequencedReading[],
        })).readings.push(r);
        added += 1;
      }
    }
    return added;
  }

  const insertMany = db.transaction((batches: readonly Batch[], receivedAt: number): InsertResult[] => {
    const groups: Groups = new Map();
    const inserted = batches.map((b) => gatherNew(b, groups));
    for (const [gateway, ofGateway] of groups)
      for (const [epoch, ofEpoch] of ofGateway) {
        const series: Group[] = [];
        let readings = 0;
        for (const ofDevice of ofEpoch.values())
          for (const g of ofDevice.values()) {
            series.push(g);
            readings += g.readings.length;
          }
        if (series.length === 0) continue;
        if (readings < GROW_BELOW * series.length) {
          head.add(gateway, Number(epoch), series, receivedAt);
          continue;
        }
        for (const g of series) {
          chunks.write(g.key, g.epoch, g.readings);
          rollups.add(g.key, g.readings);
        }
      }
    head.moveDue(receivedAt);
    register(batches, inserted, receivedAt);
    return batches.map((b, i) => ({
      inserted: inserted[i] ?? 0,
      duplicates: b.readings.length - (inserted[i] ?? 0),
    }));
  });

  // Readings kept elsewhere (InfluxDB): only which seqs are stored, so a redelivery counts nothing twice.
  const recordMany = db.transaction((batches: readonly Batch[], receivedAt: number): InsertResult[] => {
    const inserted = batches.map((b) => seqRuns.add(b.gateway, b.epoch, b.firstSeq, b.lastSeq));
    register(batches, inserted, receivedAt);
    return batches.map((b, i) => ({
      inserted: inserted[i] ?? 0,
      duplicates: b.readings.length - (inserted[i] ?? 0),
    }));
  });

  return { insertMany, recordMany };
}
