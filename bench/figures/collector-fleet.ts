import { join } from "node:path";
import { decodeBatch, encodeBatch, type SequencedReading } from "@tidegate/protocol";
import Database from "better-sqlite3";
import { encodeChunk } from "../../collector/src/store/chunk-codec.js";
import { openSqliteStore } from "../../collector/src/store/sqlite-store.js";
import { withTempDir } from "../lib/cleanup.js";
import { deadline, type Emit } from "../lib/figure.js";
import { schemaOf } from "../lib/readings.js";

/** Fleet-shaped traffic: many gateways, each batch one reading per point (a 1 Hz poll, sent every second). */
const GATEWAYS = 1000;
const POINTS = 20;
/** Seconds of fleet time: long enough to cross several minute buckets (rollups) and grow chunks. */
const ROUNDS = 150;
/** Batches per store transaction: the ingest loop's MAX_GROUP. */
const GROUP = 50;
const LIMIT_MS = 240_000;
const START_TS = Date.UTC(2025, 0, 1);

interface FleetPayload {
  data: Uint8Array;
  readings: number;
  /** When the collector receives it, in fleet time (so the head moves as it would live). */
  at: number;
}

function gatewayId(g: number): string {
  return `fleet-${String(g).padStart(4, "0")}`;
}

/** One round: every gateway's batch of one reading per point, in the order the fleet sends them. */
function round(r: number): { payloads: FleetPayload[]; readings: SequencedReading[][] } {
  const payloads: FleetPayload[] = [];
  const readings: SequencedReading[][] = [];
  for (let g = 0; g < GATEWAYS; g++) {
    const batch: SequencedReading[] = [];
    for (let p = 0; p < POINTS; p++) {
      const value = Math.round((230 + 5 * Math.sin((r + g + p) / 17)) * 100) / 100;
      batch.push({
        seq: r * POINTS + p + 1,
        ts: START_TS + r * 1000 + ((g * 7) % 1000),
        device: `meter-${Math.floor(p / 10) + 1}`,
        point: `p${p % 10}`,
        value,
        quality: "good",
      });
    }
    payloads.push({
      data: encodeBatch(gatewayId(g), batch, 1),
      readings: batch.length,
      at: START_TS + r * 1000 + 1000,
    });
    readings.push(batch);
  }
  return { payloads, readings };
}

/** decodeBatch + insertBatches in groups of GROUP, as the ingest loop commits them; returns ms. */
function ingest(path: string, rounds: readonly FleetPayload[][]): number {
  const store = openSqliteStore(path);
  try {
    const limit = deadline("fleet-shaped collector ingest", LIMIT_MS);
    const all = rounds.flat();
    const expected = all.reduce((n, p) => n + p.readings, 0);
    let inserted = 0;
    const start = performance.now();
    for (let i = 0; i < all.length; i += GROUP) {
      const group = all.slice(i, i + GROUP);
      const batches = group.map((p) => decodeBatch(p.data));
      for (const result of store.insertBatches(batches, (group[0] as FleetPayload).at))
        inserted += result.inserted;
      limit.check();
    }
    // What still waits in the head moves too: the figure pays for every chunk and rollup write.
    store.settleAll();
    const ms = performance.now() - start;
    if (inserted !== expected) throw new Error(`collector stored ${inserted} readings, expected ${expected}`);
    return ms;
  } finally {
    store.close();
  }
}

/** The raw limit: one chunk row per reading (each batch holds one reading per series), GROUP batches per transaction. */
function rawInsert(path: string, schema: string, rounds: readonly SequencedReading[][][]): number {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.exec(schema);
    const insert = db.prepare(
      "INSERT INTO chunks (series, epoch, first_seq, t0, t1, n, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    const rows = rounds.flat().map((batch, b) =>
      batch.map((r, p) => {
        const series = (b % GATEWAYS) * POINTS + p + 1;
        return [series, 1, r.seq, r.ts, r.ts, 1, encodeChunk(r.seq, [r])] as const;
      }),
    );
    const commit = db.transaction((group: (typeof rows)[number][]) => {
      for (const batch of group) for (const row of batch) insert.run(...row);
    });
    const limit = deadline("raw fleet-shaped insert", LIMIT_MS);
    const start = performance.now();
    for (let i = 0; i < rows.length; i += GROUP) {
      commit(rows.slice(i, i + GROUP));
      limit.check();
    }
    return performance.now() - start;
  } finally {
    db.close();
  }
}

/**
 * collector.ingest.fleet_shaped: what a reading costs the store when a fleet sends it (each batch
 * one reading per series), beside raw inserts of one chunk row per reading. The `fleet` group
 * measures the same with real gateways, NATS and processes sharing the machine; this one is the
 * store alone, quick enough to run every time.
 */
export async function collectorFleetFigures(emit: Emit): Promise<void> {
  const built = Array.from({ length: ROUNDS }, (_, r) => round(r));
  const payloads = built.map((b) => b.payloads);
  const readings = built.map((b) => b.readings);
  const total = GATEWAYS * POINTS * ROUNDS;
  await withTempDir("collector-fleet", async (dir) => {
    const reference = join(dir, "reference.db");
    openSqliteStore(reference).close();
    const refDb = new Database(reference, { readonly: true });
    const schema = schemaOf(refDb, "chunks");
    refDb.close();
    ingest(join(dir, "warm.db"), payloads.slice(0, 3));
    const ms = ingest(join(dir, "store.db"), payloads);
    const rawMs = rawInsert(join(dir, "raw.db"), schema, readings);
    const usPerReading = (ms * 1000) / total;
    emit({
      name: "collector.ingest.fleet_shaped",
      value: Math.round(usPerReading * 10) / 10,
      unit: "µs/reading",
      baseline: Math.round(((rawMs * 1000) / total) * 10) / 10,
      budget: { max: 20 },
      note:
        `${GATEWAYS} gateways × ${POINTS} points × ${ROUNDS} s of 1 Hz readings (${total.toLocaleString("en-US")}), ` +
        `each batch one reading per point, decodeBatch + insertBatches ${GROUP} batches per transaction into a fresh store ` +
        `(${Math.round((total / ms) * 1000).toLocaleString("en-US")} readings/s on one core); ` +
        "baseline: raw prepared INSERTs of one chunk row per reading into the same chunks table, same grouping",
    });
  });
}
