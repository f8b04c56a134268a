import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Batch } from "@tidegate/protocol";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LATEST_WRITE_AFTER_MS } from "./latest-values.js";
import { openSqliteStore, type SqliteStore } from "./sqlite-store.js";

let dir: string;
let path: string;
let store: SqliteStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-latest-"));
  path = join(dir, "c.db");
  store = openSqliteStore(path);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const batch = (
  gateway: string,
  first: number,
  values: number[],
  ts = (i: number) => 1000 * (first + i),
): Batch => ({
  gateway,
  epoch: 0,
  firstSeq: first,
  lastSeq: first + values.length - 1,
  readings: values.map((v, i) => ({
    seq: first + i,
    ts: ts(i),
    device: "m1",
    point: `p${i % 2}`,
    value: v,
    quality: "good",
  })),
});

/** What another connection sees in the table: what a crash would leave. */
function onDisk(): { gateway: string; point: string; last_ts: number; last_value: string }[] {
  const db = new Database(path, { readonly: true });
  try {
    return db
      .prepare("SELECT gateway, point, last_ts, last_value FROM series ORDER BY gateway, point")
      .all() as never;
  } finally {
    db.close();
  }
}

describe("latest values", () => {
  it("are read at once, though the table is written in arrears", () => {
    store.insertBatches([batch("plant-1", 1, [1, 2, 3, 4])], 10_000);
    expect(onDisk()).toEqual([]);
    expect(store.points("plant-1").map((p) => [p.point, p.lastTs, p.lastValue])).toEqual([
      ["p0", 3000, 3],
      ["p1", 4000, 4],
    ]);
    // Reading the points wrote that gateway's values, and only that gateway's.
    store.insertBatches([batch("plant-2", 1, [7, 8])], 10_001);
    store.points("plant-1");
    expect(onDisk().map((r) => r.gateway)).toEqual(["plant-1", "plant-1"]);
  });

  it("are written by a later commit once they waited long enough, the longest waiting gateway first", () => {
    store.insertBatches([batch("plant-a", 1, [1, 2])], 0);
    store.insertBatches([batch("plant-b", 1, [5, 6])], 1);
    store.insertBatches([batch("plant-c", 1, [9, 9])], LATEST_WRITE_AFTER_MS - 1);
    expect(onDisk()).toEqual([]);
    store.insertBatches([batch("plant-c", 3, [10, 11])], LATEST_WRITE_AFTER_MS + 1);
    expect(onDisk().map((r) => [r.gateway, r.point, Number(r.last_value)])).toEqual([
      ["plant-a", "p0", 1],
      ["plant-a", "p1", 2],
      ["plant-b", "p0", 5],
      ["plant-b", "p1", 6],
    ]);
  });

  it("wait no longer than the timer's round once ingest pauses", () => {
    store.insertBatches([batch("plant-1", 1, [1, 2])], 1000);
    expect(store.writeDueLatest(1000 + LATEST_WRITE_AFTER_MS - 1)).toBe(0);
    expect(store.writeDueLatest(1000 + LATEST_WRITE_AFTER_MS)).toBe(2);
    expect(onDisk()).toHaveLength(2);
    expect(store.writeDueLatest(1000 + 2 * LATEST_WRITE_AFTER_MS)).toBe(0);
  });

  it("keep the newest reading when an older one arrives later (a backfill behind live data)", () => {
    store.insertBatches([batch("plant-1", 10, [50, 60])], 1000);
    store.insertBatches([batch("plant-1", 1, [1, 2])], 1001);
    expect(store.points("plant-1").map((p) => p.lastValue)).toEqual([50, 60]);
  });

  it("are all on disk after the store closes", () => {
    store.insertBatches([batch("plant-1", 1, [1, 2]), batch("plant-2", 1, [3, 4])], 1000);
    store.close();
    expect(onDisk().map((r) => Number(r.last_value))).toEqual([1, 2, 3, 4]);
    store = openSqliteStore(path);
    expect(store.points("plant-2").map((p) => p.lastValue)).toEqual([3, 4]);
  });

  it("never replace a newer value another collector wrote on the same file", () => {
    const other = openSqliteStore(path);
    try {
      other.insertBatches([batch("plant-1", 100, [70, 80])], 1000);
      other.points("plant-1");
    } finally {
      other.close();
    }
    store.insertBatches([batch("plant-1", 1, [1, 2])], 2000);
    expect(store.points("plant-1").map((p) => p.lastValue)).toEqual([70, 80]);
  });
});
