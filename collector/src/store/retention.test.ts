import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Batch } from "@tidegate/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pruneOnce } from "./retention.js";
import { openSqliteStore, type SqliteStore } from "./sqlite-store.js";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 23);
let dir: string;
let store: SqliteStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-retention-"));
  store = openSqliteStore(join(dir, "c.db"));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `count` readings a second apart, starting `daysAgo` days before NOW. */
function readingsAt(daysAgo: number, count: number, firstSeq: number): Batch {
  const start = NOW - daysAgo * DAY;
  return {
    gateway: "plant-1",
    epoch: 1,
    firstSeq,
    lastSeq: firstSeq + count - 1,
    readings: Array.from({ length: count }, (_, i) => ({
      seq: firstSeq + i,
      ts: start + i * 1000,
      device: "m1",
      point: "voltage",
      value: 230,
      quality: "good" as const,
    })),
  };
}

const q = { gateway: "plant-1", device: "m1", point: "voltage", from: 0, to: NOW };

describe("retention", () => {
  it("walks every series a page at a time, fleet-shaped ones still waiting in the head included", async () => {
    // 1,200 series (past one page of series) with one reading each 40 days old, sent the way a
    // fleet sends them: one reading per series and batch, so they wait in the head at first.
    const points = 1200;
    const old = NOW - 40 * DAY;
    store.insertBatch(
      {
        gateway: "plant-2",
        epoch: 1,
        firstSeq: 1,
        lastSeq: points,
        readings: Array.from({ length: points }, (_, i) => ({
          seq: i + 1,
          ts: old,
          device: `m${i % 7}`,
          point: `p${i}`,
          value: i,
          quality: "good" as const,
        })),
      },
      old,
    );
    const pruned = await pruneOnce(store, { rawDays: 30, minuteDays: 365, hourDays: 0 }, NOW);
    expect(pruned.readings).toBe(points);
    expect(store.countReadings("plant-2")).toBe(0);
  });

  it("drops each tier past its days, in chunks, and keeps the rest", async () => {
    store.insertBatch(readingsAt(400, 10, 1)); // older than every tier but the hour one
    store.insertBatch(readingsAt(40, 5000, 11)); // past raw retention: more than one chunk
    store.insertBatch(readingsAt(10, 20, 5011)); // young
    const pruned = await pruneOnce(store, { rawDays: 30, minuteDays: 365, hourDays: 0 }, NOW);
    expect(pruned.readings).toBe(5010);
    expect(pruned.rollup_1m).toBe(1); // the minute 400 days ago
    expect(pruned.rollup_15m).toBe(1); // the quarter hour follows the minutes
    expect(pruned.rollup_1h).toBe(0); // hours are kept forever
    expect(pruned.rollup_1d).toBe(0); // and days follow the hours
    expect(store.series({ ...q, limit: 100_000 }).ts).toHaveLength(20);
    expect(store.partials("rollup_1m", q).map((p) => Math.round((NOW - p.t) / DAY))).toEqual(
      expect.not.arrayContaining([400]),
    );
    expect(store.partials("rollup_1h", q).length).toBe(4);
  });

  it("moves what a quiet fleet left in the head first, so its old readings are pruned too", async () => {
    // A reading or two per batch waits in the head; no later commit moves it (the fleet went quiet).
    const quietSince = NOW - 10 * DAY;
    store.insertBatch(readingsAt(40, 2, 1), quietSince);
    store.insertBatch({ ...readingsAt(10, 2, 1), gateway: "plant-2" }, quietSince);
    expect(store.countReadings("plant-1")).toBe(2);
    const pruned = await pruneOnce(store, { rawDays: 30, minuteDays: 365, hourDays: 0 }, NOW);
    expect(pruned.readings).toBe(2);
    expect(store.countReadings("plant-1")).toBe(0);
    expect(store.series({ ...q, gateway: "plant-2" }).ts).toEqual([NOW - 10 * DAY, NOW - 10 * DAY + 1000]);
    // Rollups were made when the readings moved; the hours stay (kept forever).
    expect(store.partials("rollup_1h", q).map((p) => p.n)).toEqual([2]);
  });

  it("keeps everything when a tier's days are 0", async () => {
    store.insertBatch(readingsAt(400, 3, 1));
    expect(await pruneOnce(store, { rawDays: 0, minuteDays: 0, hourDays: 0 }, NOW)).toEqual({
      readings: 0,
      rollup_1m: 0,
      rollup_15m: 0,
      rollup_1h: 0,
      rollup_1d: 0,
    });
  });
});
