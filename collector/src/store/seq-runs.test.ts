import { migrateSync } from "@tidegate/node-kit";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { storeSchema } from "./schema.js";
import { createSeqRuns } from "./seq-runs.js";

function open() {
  const db = new Database(":memory:");
  migrateSync(db, storeSchema, ":memory:");
  const runs = () =>
    db
      .prepare(
        "SELECT epoch, first_seq, last_seq FROM seq_runs WHERE gateway = 'g' ORDER BY epoch, first_seq",
      )
      .all();
  return { seqRuns: createSeqRuns(db), runs };
}

describe("stored seq runs", () => {
  it("grows one run while batches arrive in order", () => {
    const { seqRuns, runs } = open();
    expect(seqRuns.add("g", 1, 1, 50)).toBe(50);
    expect(seqRuns.add("g", 1, 51, 100)).toBe(50);
    expect(runs()).toEqual([{ epoch: 1, first_seq: 1, last_seq: 100 }]);
  });

  it("keeps a hole while an outage is backfilled (live first), and merges when it fills", () => {
    const { seqRuns, runs } = open();
    seqRuns.add("g", 1, 1, 10);
    seqRuns.add("g", 1, 31, 40); // fresh readings first
    expect(runs()).toHaveLength(2);
    expect(seqRuns.covered("g", 1, 5, 35)).toBe(11);
    seqRuns.add("g", 1, 21, 30);
    expect(seqRuns.add("g", 1, 11, 20)).toBe(10);
    expect(runs()).toEqual([{ epoch: 1, first_seq: 1, last_seq: 40 }]);
  });

  it("counts a repeat as nothing new and an overlap by its new seqs only; epochs are apart", () => {
    const { seqRuns, runs } = open();
    seqRuns.add("g", 1, 1, 10);
    expect(seqRuns.add("g", 1, 1, 10)).toBe(0);
    expect(seqRuns.add("g", 1, 8, 15)).toBe(5);
    expect(seqRuns.add("g", 2, 1, 10)).toBe(10);
    expect(runs()).toEqual([
      { epoch: 1, first_seq: 1, last_seq: 15 },
      { epoch: 2, first_seq: 1, last_seq: 10 },
    ]);
  });

  it("claims a range and names the parts of it that were not stored yet", () => {
    const { seqRuns, runs } = open();
    expect(seqRuns.claim("g", 3, 1, 10)).toEqual([[1, 10]]);
    seqRuns.add("g", 1, 3, 4);
    seqRuns.add("g", 1, 8, 20);
    expect(seqRuns.claim("g", 1, 1, 10)).toEqual([
      [1, 2],
      [5, 7],
    ]);
    expect(seqRuns.claim("g", 1, 3, 4)).toEqual([]);
    expect(seqRuns.claim("g", 1, 15, 25)).toEqual([[21, 25]]);
    expect(seqRuns.claim("g", 2, 3, 4)).toEqual([[3, 4]]);
    expect(runs()).toEqual([
      { epoch: 1, first_seq: 1, last_seq: 25 },
      { epoch: 2, first_seq: 3, last_seq: 4 },
      { epoch: 3, first_seq: 1, last_seq: 10 },
    ]);
  });
});
