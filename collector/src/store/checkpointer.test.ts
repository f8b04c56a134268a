import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Batch } from "@tidegate/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startCheckpointer } from "./checkpointer.js";
import { openSqliteStore } from "./sqlite-store.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-checkpoint-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2026, 0, 1);
/** A backfill-sized batch (straight into chunks and rollups), so every commit grows the WAL. */
const batch = (gateway: string, n: number): Batch => ({
  gateway,
  epoch: 1,
  firstSeq: n * 500 + 1,
  lastSeq: n * 500 + 500,
  readings: Array.from({ length: 500 }, (_, i) => ({
    seq: n * 500 + i + 1,
    ts: T0 + (n * 500 + i) * 1000,
    device: "meter",
    point: `p${i % 5}`,
    value: (n * 7 + i) % 101,
    quality: "good" as const,
  })),
});

async function until(what: string, check: () => boolean, ms = 10_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe("background checkpoints", () => {
  it("copy the WAL into the database file from their own thread, and the store reads and closes as usual", async () => {
    const path = join(dir, "c.db");
    const errors: string[] = [];
    const store = openSqliteStore(path, {
      backgroundCheckpoints: { everyMs: 20, onError: (m) => errors.push(m) },
    });
    for (let n = 0; n < 40; n++) store.insertBatches([batch("gw-1", n), batch("gw-2", n)]);
    // Once writing stops, a round copies every page the WAL holds.
    await until("a checkpoint of the whole WAL", () => {
      const r = store.lastCheckpoint();
      return r !== undefined && r.log > 0 && r.checkpointed === r.log;
    });
    // The next commits start the WAL over instead of growing it: it stays near one round's pages.
    const walBytes = statSync(`${path}-wal`).size;
    for (let n = 40; n < 80; n++) {
      store.insertBatches([batch("gw-1", n), batch("gw-2", n)]);
      if (n % 10 === 0) await sleep(60);
    }
    expect(statSync(`${path}-wal`).size).toBeLessThanOrEqual(walBytes * 2);
    expect(store.countReadings("gw-1")).toBe(80 * 500);
    await store.closeAsync();
    expect(errors).toEqual([]);
    // Closed cleanly: a new connection finds every reading.
    const again = openSqliteStore(path);
    try {
      expect(again.countReadings("gw-2")).toBe(80 * 500);
    } finally {
      again.close();
    }
  });

  it("name the file when the thread cannot open it", async () => {
    const errors: string[] = [];
    const missing = join(dir, "missing.db");
    const checkpointer = startCheckpointer(missing, { everyMs: 20, onError: (m) => errors.push(m) });
    await until("the thread's error", () => errors.length > 0);
    expect(errors[0]).toContain(`cannot open ${missing}`);
    expect(checkpointer.last()).toBeUndefined();
    await checkpointer.stop();
  });
});
