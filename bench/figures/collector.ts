import { join } from "node:path";
import { decodeBatch, type SequencedReading } from "@tidegate/protocol";
import Database from "better-sqlite3";
import { openSqliteStore } from "../../collector/src/store/sqlite-store.js";
import { withTempDir } from "../lib/cleanup.js";
import { deadline, type Emit, perSecond } from "../lib/figure.js";
import { encodePayloads, type Payload } from "../lib/nats.js";
import { BATCH_SIZE, chunks, GATEWAY, makeReadings, schemaOf, sequenced } from "../lib/readings.js";
import { median } from "../lib/stats.js";

const N = 200_000;
const REPEATS = 3;
/** Stop repeating once this much time went into one figure, so a busy machine still finishes in time. */
const REPEAT_BUDGET_MS = 12_000;
const WARMUP_BATCHES = 40;
const LIMIT_MS = 30_000;
const QUALITY = { good: 0, bad: 1, uncertain: 2 } as const;

type RawRow = [string, number, string, string, number, number | null, string | null, number, string | null];

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

/** The raw limit: prepared INSERTs of the same rows into the same table (with its index), same pragmas. */
function rawInsert(path: string, schema: string, batches: readonly RawRow[][]): number {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.exec(schema);
    const insert = db.prepare<RawRow>(
      // Epoch 0: what the bench agent's batches (no buffer file) are filed under.
      "INSERT INTO readings (gateway, epoch, seq, device, point, ts, num, text, quality, reason) VALUES (?, 0, ?, ?, ?, ?, ?, ?, ?, ?)",
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

function rawRow(r: SequencedReading): RawRow {
  const num = typeof r.value === "number" ? r.value : typeof r.value === "boolean" ? Number(r.value) : null;
  const text = typeof r.value === "string" ? r.value : null;
  return [GATEWAY, r.seq, r.device, r.point, r.ts, num, text, QUALITY[r.quality], r.reason ?? null];
}

/** collector.ingest: decode + insertBatch of pre-encoded batches, beside raw better-sqlite3. */
export async function collectorFigures(emit: Emit): Promise<void> {
  const readings = sequenced(makeReadings(N));
  const payloads = encodePayloads(readings);
  const rawBatches = chunks(readings.map(rawRow), BATCH_SIZE);

  await withTempDir("collector", async (dir) => {
    const reference = join(dir, "reference.db");
    openSqliteStore(reference).close();
    const refDb = new Database(reference, { readonly: true });
    const schema = schemaOf(refDb, "readings");
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
        `baseline: raw prepared INSERTs of the same rows into the same readings table and index, ` +
        `${BATCH_SIZE} per transaction; median of ${ingestMs.length}`,
    });
  });
}
