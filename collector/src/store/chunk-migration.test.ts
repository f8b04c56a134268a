import { migrateSync } from "@tidegate/node-kit";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { migrateReadingsToChunks } from "./chunk-migration.js";
import { CHUNK_MAX, createChunks } from "./chunks.js";
import { storeSchema } from "./schema.js";
import { createSeqRuns } from "./seq-runs.js";

/** A store at schema version 9 (one row per reading) holding `rows`. */
function storeAtVersion9(
  rows: [number, number, string, number, number | null, string | null, number, string | null][],
) {
  const db = new Database(":memory:");
  migrateSync(db, { ...storeSchema, migrations: storeSchema.migrations.slice(0, 9) }, ":memory:");
  const insert = db.prepare(
    "INSERT INTO readings (gateway, epoch, seq, device, point, ts, num, text, quality, reason) VALUES ('g', ?, ?, 'm1', ?, ?, ?, ?, ?, ?)",
  );
  for (const r of rows) insert.run(...r);
  return db;
}

describe("store step 10: readings into chunks", () => {
  it("keeps every reading with its seq, time, value, quality and reason, and records the seq runs", () => {
    const db = storeAtVersion9([
      [0, 1, "voltage", 1000, 230, null, 0, null],
      [0, 2, "state", 1000, null, "RUN", 0, null],
      [0, 3, "voltage", 2000, null, null, 1, "timeout after 1000 ms"],
      [0, 7, "voltage", 3000, 231, null, 2, null], // seqs 4–6 were never stored
      [5, 1, "voltage", 4000, 1, null, 0, null], // a reinstalled gateway's new epoch
    ]);
    const messages: string[] = [];
    db.transaction(() => migrateReadingsToChunks(db, (m) => messages.push(m), 0))();

    const chunks = createChunks(db);
    expect(chunks.readings({ gateway: "g", device: "m1", point: "voltage" })).toEqual([
      { seq: 1, ts: 1000, num: 230, quality: 0 },
      { seq: 3, ts: 2000, num: Number.NaN, quality: 1, reason: "timeout after 1000 ms" },
      { seq: 7, ts: 3000, num: 231, quality: 2 },
      { seq: 1, ts: 4000, num: 1, quality: 0 },
    ]);
    expect(chunks.readings({ gateway: "g", device: "m1", point: "state" })).toEqual([
      { seq: 2, ts: 1000, num: Number.NaN, quality: 0, text: "RUN" },
    ]);
    const seqRuns = createSeqRuns(db);
    expect(seqRuns.claim("g", 0, 1, 8)).toEqual([
      [4, 6],
      [8, 8],
    ]);
    expect(seqRuns.claim("g", 5, 1, 2)).toEqual([[2, 2]]);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'readings'").get()).toBeUndefined();
    expect(messages[0]).toBe("moving 5 readings into chunks");
    expect(messages.at(-1)).toMatch(/moved 5 of 5 readings into chunks \(100 %\)/);
  });

  it("pages through a long series and cuts it into chunks of at most CHUNK_MAX", () => {
    const count = CHUNK_MAX * 2 + 5;
    const db = storeAtVersion9(
      Array.from(
        { length: count },
        (_, i) => [0, i + 1, "voltage", 1000 * (i + 1), i, null, 0, null] as const,
      ).map((r) => [...r]),
    );
    db.transaction(() => migrateReadingsToChunks(db))();
    expect(db.prepare("SELECT n FROM chunks ORDER BY t0").pluck().all()).toEqual([CHUNK_MAX, CHUNK_MAX, 5]);
    const stored = createChunks(db).readings({ gateway: "g", device: "m1", point: "voltage" });
    expect(stored.map((r) => r.seq)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
  });
});
