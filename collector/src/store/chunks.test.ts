import { migrateSync } from "@tidegate/node-kit";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import type { ChunkInput, ChunkReading } from "./chunk-codec.js";
import { CHUNK_GROW_TO, CHUNK_MAX, createChunks, GROW_BELOW } from "./chunks.js";
import { storeSchema } from "./schema.js";
import { storedReadingCount } from "./stored-readings.js";

function open() {
  const db = new Database(":memory:");
  migrateSync(db, storeSchema, ":memory:");
  const rows = () =>
    db.prepare("SELECT epoch, first_seq, n, t0, t1 FROM chunks ORDER BY id").all() as {
      epoch: number;
      first_seq: number;
      n: number;
      t0: number;
      t1: number;
    }[];
  return { chunks: createChunks(db), rows, stored: (gateway: string) => storedReadingCount(db, gateway) };
}

const key = { gateway: "g", device: "m1", point: "voltage" };
/** `count` readings of one series, seq and time (s) from `first`. */
const run = (first: number, count: number): ChunkInput[] =>
  Array.from({ length: count }, (_, i) => ({
    seq: first + i,
    ts: (first + i) * 1000,
    value: first + i,
    quality: "good" as const,
  }));
/** The same as a chunk gives them back. */
const storedRun = (first: number, count: number): ChunkReading[] =>
  run(first, count).map((r) => ({ seq: r.seq, ts: r.ts, num: r.value as number, quality: 0 }));

describe("chunks", () => {
  it("grows the newest chunk with small writes until it holds CHUNK_GROW_TO, then starts the next", () => {
    const { chunks, rows } = open();
    for (let seq = 1; seq <= CHUNK_GROW_TO + 3; seq++) chunks.write(key, 1, run(seq, 1));
    chunks.write(key, 1, run(CHUNK_GROW_TO + 4, GROW_BELOW)); // big enough to be a chunk of its own
    const at = (seq: number) => seq * 1000;
    expect(rows()).toEqual([
      { epoch: 1, first_seq: 1, n: CHUNK_GROW_TO, t0: at(1), t1: at(CHUNK_GROW_TO) },
      { epoch: 1, first_seq: CHUNK_GROW_TO + 1, n: 3, t0: at(CHUNK_GROW_TO + 1), t1: at(CHUNK_GROW_TO + 3) },
      {
        epoch: 1,
        first_seq: CHUNK_GROW_TO + 4,
        n: GROW_BELOW,
        t0: at(CHUNK_GROW_TO + 4),
        t1: at(CHUNK_GROW_TO + 3 + GROW_BELOW),
      },
    ]);
    expect(chunks.readings(key)).toEqual(storedRun(1, CHUNK_GROW_TO + 3 + GROW_BELOW));
  });

  it("splits a big write at CHUNK_MAX and keeps epochs and older seqs (backfill) in chunks of their own", () => {
    const { chunks, rows } = open();
    chunks.write(key, 1, run(5001, CHUNK_MAX + 10));
    chunks.write(key, 2, run(9001, 2)); // a new buffer epoch (its clock ahead here)
    chunks.write(key, 2, run(9003, 1)); // grows the epoch 2 chunk
    chunks.write({ ...key, point: "current" }, 2, run(4, 1)); // another series
    expect(rows().map((r) => [r.epoch, r.first_seq, r.n])).toEqual([
      [1, 5001, CHUNK_MAX],
      [1, 5001 + CHUNK_MAX, 10],
      [2, 9001, 3],
      [2, 4, 1],
    ]);
    // Backfill: seqs before the newest chunk's first never join it.
    const { chunks: other, rows: otherRows } = open();
    other.write(key, 1, run(100, 2));
    other.write(key, 1, run(50, 2));
    other.write(key, 1, run(102, 1)); // live grows the newest (by time) chunk again
    expect(otherRows().map((r) => [r.first_seq, r.n])).toEqual([
      [100, 3],
      [50, 2],
    ]);
  });

  it("scans only readings inside the range and prunes whole chunks past a time, counting their readings", () => {
    const { chunks, stored } = open();
    chunks.write(key, 1, run(1, 200)); // one chunk, t 1 s … 200 s
    chunks.write(key, 1, run(201, 200)); // the next, t 201 s … 400 s
    const seen: number[] = [];
    chunks.scan(key, 150_000, 250_000, (ts) => seen.push(ts));
    expect(seen).toHaveLength(101);
    expect(Math.min(...seen)).toBe(150_000);
    expect(Math.max(...seen)).toBe(250_000);
    // The first chunk's newest reading is at 200 s: it goes only once that is past.
    expect(chunks.prune(key, 200_000, 10)).toEqual({ chunks: 0, readings: 0 });
    expect(chunks.prune(key, 200_001, 10)).toEqual({ chunks: 1, readings: 200 });
    expect(stored("g")).toBe(200);
    expect(chunks.prune({ ...key, point: "nothing" }, 1e15, 10)).toEqual({ chunks: 0, readings: 0 });
  });

  it("gives the first readings in time order across chunks that overlap in time", () => {
    const { chunks } = open();
    chunks.write(key, 1, run(10, 20)); // t 10 s … 29 s
    // A backfill of other seqs whose times fall inside the first chunk's.
    chunks.write(
      key,
      1,
      run(1, 5).map((r) => ({ ...r, ts: r.ts * 3 + 500 })),
    );
    chunks.write(key, 1, run(100, 20)); // far later: never read for the first few
    const first = chunks.ordered(key, 0, 1e9, 8).map((r) => r.ts);
    expect(first).toEqual([3500, 6500, 9500, 10_000, 11_000, 12_000, 12_500, 13_000]);
    expect(chunks.ordered(key, 12_000, 12_600, 100).map((r) => r.ts)).toEqual([12_000, 12_500]);
    expect(chunks.ordered(key, 0, 1e9, 1000)).toHaveLength(45);
  });
});
