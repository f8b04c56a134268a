import { join } from "node:path";
import { decodeBatch, type SequencedReading } from "@tidegate/protocol";
import Database from "better-sqlite3";
import { encodeChunk } from "../../collector/src/store/chunk-codec.js";
import { openSqliteStore } from "../../collector/src/store/sqlite-store.js";
import { withTempDir } from "../lib/cleanup.js";
import { deadline, type Emit, perSecond } from "../lib/figure.js";
import { encodePayloads, type Payload } from "../lib/nats.js";
import { BATCH_SIZE, chunks, makeReadings, schemaOf, sequenced } from "../lib/readings.js";
import { median } from "../lib/stats.js";

const N = 200_000;
const REPEATS = 3;
/** Stop repeating once this much time went into one figure, so a busy machine still finishes in time. */
const REPEAT_BUDGET_MS = 12_000;
const WARMUP_BATCHES = 40;
const LIMIT_MS = 30_000;

/** One chunks row, pre-encoded: series id, epoch, first seq, t0, t1, n, data. */
type RawRow = [number, number, number, number, number, number, Buffer];

/** decodeBatch + insertBatch of every payload into a fresh store; returns the elapsed ms. */
function ingest(path: string, payloads: readonly Payload[]): number {
  const expected = payloads.reduce((n, p) => n + (p.last - p.first + 1), 0);
  const store = openSqliteStore(path);
  try {
    const limit = deadline("collector ingest", LIMIT_MS);
    let inserted = 0;
    const start = performance.now();
    for (const p of payloads) {
      inserted += store.insertBatch(decodeBatch(p.data)).inserted;
      limit.check();
    }
    const ms = performance.now() - start;
    if (inserted !== expected) throw new Error(`collector stored ${inserted} readings, expected ${expected}`);
    return ms;
  } finally {
    store.close();
  }
}

/**
 * The raw limit: prepared INSERTs of the same readings, already encoded as one chunk per series and
 * batch, into the same table (with its indexes), same pragmas: what the storage layout itself costs.
 */
function rawInsert(path: string, schema: string, batches: readonly RawRow[][]): number {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.exec(schema);
    const insert = db.prepare<RawRow>(
      "INSERT INTO chunks (series, epoch, first_seq, t0, t1, n, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    const commit = db.transaction((batch: RawRow[]) => {
      for (const r of batch) insert.run(...r);
    });
    const limit = deadline("raw collector insert", LIMIT_MS);
    const start = performance.now();
    for (const batch of batches) {
      commit(batch);
      limit.check();
    }
    return performance.now() - start;
  } finally {
    db.close();
  }
}

/** A batch as chunk rows: its readings grouped by series, each group encoded as one chunk. */
function rawRows(batch: readonly SequencedReading[], seriesIds: Map<string, number>): RawRow[] {
  const groups = new Map<number, SequencedReading[]>();
  for (const r of batch) {
    const key = `${r.device}\u0000${r.point}`;
    const id = seriesIds.get(key) ?? seriesIds.size + 1;
    seriesIds.set(key, id);
    groups.set(id, [...(groups.get(id) ?? []), r]);
  }
  return [...groups].map(([id, group]) => {
    const first = group[0] as SequencedReading;
    const last = group.at(-1) as SequencedReading;
    // Epoch 0: what the bench agent's batches (no buffer file) are filed under.
    return [id, 0, first.seq, first.ts, last.ts, group.length, encodeChunk(first.seq, group)];
  });
}

/** collector.ingest: decode + insertBatch of pre-encoded batches, beside raw better-sqlite3. */
export async function collectorFigures(emit: Emit): Promise<void> {
  const readings = sequenced(makeReadings(N));
  const payloads = encodePayloads(readings);
  const seriesIds = new Map<string, number>();
  const rawBatches = chunks(readings, BATCH_SIZE).map((batch) => rawRows(batch, seriesIds));

  await withTempDir("collector", async (dir) => {
    const reference = join(dir, "reference.db");
    openSqliteStore(reference).close();
    const refDb = new Database(reference, { readonly: true });
    const schema = schemaOf(refDb, "chunks");
    refDb.close();
    // Warm-up (discarded) so the first measured run does not pay for JIT compilation.
    ingest(join(dir, "warm-store.db"), payloads.slice(0, WARMUP_BATCHES));
    rawInsert(join(dir, "warm-raw.db"), schema, rawBatches.slice(0, WARMUP_BATCHES));

    const began = performance.now();
    const ingestMs: number[] = [];
    const rawMs: number[] = [];
    for (let run = 0; run < REPEATS && performance.now() - began < REPEAT_BUDGET_MS; run++) {
      ingestMs.push(ingest(join(dir, `store-${run}.db`), payloads));
      rawMs.push(rawInsert(join(dir, `raw-${run}.db`), schema, rawBatches));
    }
    emit({
      name: "collector.ingest",
      value: perSecond(N, median(ingestMs)),
      unit: "readings/s",
      baseline: perSecond(N, median(rawMs)),
      budget: { min: 20_000 },
      note:
        `${payloads.length} pre-encoded batches of ${BATCH_SIZE} through decodeBatch + insertBatch into a fresh store; ` +
        `baseline: raw prepared INSERTs of the same readings pre-encoded as one chunk per series and batch ` +
        `(${rawBatches.reduce((n, b) => n + b.length, 0).toLocaleString("en-US")} rows) into the same chunks table and indexes, ` +
        `one batch per transaction; median of ${ingestMs.length}`,
    });
  });
}
