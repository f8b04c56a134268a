import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Batch } from "@tidegate/protocol";
import Database from "better-sqlite3";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HEAD_AGE_MS, HEAD_ROWS_MAX, MOVE_READINGS_PER_COMMIT } from "./head.js";
import { openSqliteStore, type SqliteStore } from "./sqlite-store.js";
import { ROLLUP_TIERS } from "./tiers.js";

const T0 = Date.UTC(2026, 0, 1);
const POINTS = ["v1", "v2", "v3"];

let dir: string;
let path: string;
let store: SqliteStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-head-"));
  path = join(dir, "c.db");
  store = openSqliteStore(path);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Second `s` of a gateway polling every point once a second: one reading per series (fleet-shaped). */
function poll(s: number, gateway = "gw-1"): Batch {
  const firstSeq = s * POINTS.length + 1;
  return {
    gateway,
    epoch: 1,
    firstSeq,
    lastSeq: firstSeq + POINTS.length - 1,
    readings: POINTS.map((point, i) => ({
      seq: firstSeq + i,
      ts: T0 + s * 1000 + i,
      device: "meter",
      point,
      value: s % 7 === 3 && i === 2 ? null : 200 + ((s * 13 + i * 5) % 41),
      quality: s % 7 === 3 && i === 2 ? "bad" : "good",
      ...(s % 7 === 3 && i === 2 ? { reason: "timeout" } : {}),
    })),
  };
}

/** Second `s` of a gateway of 300 points, one reading each. */
const wide = (gateway: string, s: number): Batch => ({
  gateway,
  epoch: 1,
  firstSeq: s * 300 + 1,
  lastSeq: s * 300 + 300,
  readings: Array.from({ length: 300 }, (_, i) => ({
    seq: s * 300 + i + 1,
    ts: T0 + s * 1000,
    device: "plc",
    point: `p${i}`,
    value: i,
    quality: "good" as const,
  })),
});

/** Rows of a table in the store file, counted from a second connection as a tool would. */
function rows(table: "head" | "chunks"): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  } finally {
    db.close();
  }
}

const q = (point: string) => ({ gateway: "gw-1", device: "meter", point, from: T0, to: T0 + 3_600_000 });

describe("the head", () => {
  it("keeps fleet-shaped batches a row per commit, and every read sees them as if stored in chunks", () => {
    for (let s = 0; s < 150; s++) store.insertBatch(poll(s), T0 + s * 1000);
    const bulk = openSqliteStore(join(dir, "bulk.db"));
    try {
      // The same readings as one big batch go straight into chunks and rollups: the reference.
      const all = Array.from({ length: 150 }, (_, s) => poll(s));
      const one: Batch = { ...poll(0), lastSeq: 450, readings: all.flatMap((b) => b.readings) };
      expect(bulk.insertBatch(one).inserted).toBe(450);
      expect(store.countReadings("gw-1")).toBe(450);
      expect(rows("head")).toBeGreaterThan(0);
      for (const point of POINTS) {
        expect(store.series(q(point))).toEqual(bulk.series(q(point)));
        for (const tier of ROLLUP_TIERS)
          expect(store.partials(tier.table, q(point))).toEqual(bulk.partials(tier.table, q(point)));
      }
      // Reading the series moved the gateway's head into chunks.
      expect(rows("head")).toBe(0);
      expect(store.countReadings("gw-1")).toBe(450);
    } finally {
      bulk.close();
    }
  });

  it("moves a gateway once its oldest head row is HEAD_AGE_MS old, without any read", () => {
    store.insertBatch(poll(0, "gw-1"), T0);
    store.insertBatch(poll(0, "gw-2"), T0 + 1000);
    expect(rows("head")).toBe(2);
    expect(rows("chunks")).toBe(0);
    // A commit at T0 + HEAD_AGE_MS finds gw-1 due (its row is that old), gw-2 not yet.
    store.insertBatch(poll(1, "gw-3"), T0 + HEAD_AGE_MS);
    expect(rows("chunks")).toBe(POINTS.length);
    expect(rows("head")).toBe(2);
    store.insertBatch(poll(2, "gw-3"), T0 + HEAD_AGE_MS + 1000);
    expect(rows("chunks")).toBe(2 * POINTS.length);
  });

  it("moves about MOVE_READINGS_PER_COMMIT readings per commit when a whole fleet is due at once", () => {
    // 30 gateways of 300 points, started together: their heads come due in the same second.
    for (let g = 0; g < 30; g++) store.insertBatch(wide(`gw-${g}`, 0), T0);
    const perCommit = MOVE_READINGS_PER_COMMIT / 300;
    // The commit at HEAD_AGE_MS moves gw-0 (its two rows, 600 readings), then gateways of 300
    // until MOVE_READINGS_PER_COMMIT went; the rest wait for the next commits.
    store.insertBatch(wide("gw-0", 1), T0 + HEAD_AGE_MS);
    let waiting = 30 - 1 - (perCommit - 2);
    expect(rows("head")).toBe(waiting);
    // Each later commit moves perCommit more of the due ones, and keeps gw-0's new row (not due yet).
    for (let s = 2; waiting > 0; s++) {
      store.insertBatch(wide("gw-0", s), T0 + HEAD_AGE_MS + s * 1000);
      waiting = Math.max(0, waiting - perCommit);
      expect(rows("head")).toBe(waiting + s - 1);
    }
    for (let g = 1; g < 30; g++) expect(store.countReadings(`gw-${g}`)).toBe(300);
  });

  it("moves a long-waiting gateway in parts, oldest rows first, and a read sees all of it either way", () => {
    // A collector that was down while one gateway's backlog of small commits piled into the head.
    const commits = 40;
    for (let s = 0; s < commits; s++) store.insertBatch(wide("gw-1", s), T0 + s);
    expect(rows("head")).toBe(commits);
    store.insertBatch(wide("gw-2", 0), T0 + HEAD_AGE_MS + commits);
    // gw-1's oldest rows moved, about MOVE_READINGS_PER_COMMIT readings of them; gw-2's row waits.
    expect(rows("head")).toBe(commits - MOVE_READINGS_PER_COMMIT / 300 + 1);
    const p7 = { gateway: "gw-1", device: "plc", point: "p7", from: T0, to: T0 + 3_600_000 };
    const series = store.series(p7);
    expect(series.ts).toEqual(Array.from({ length: commits }, (_, s) => T0 + s * 1000));
    expect(series.values).toEqual(Array.from({ length: commits }, () => 7));
    expect(rows("head")).toBe(1);
    expect(store.countReadings("gw-1")).toBe(commits * 300);
  });

  it("moves a gateway that fills HEAD_ROWS_MAX rows sooner", () => {
    for (let s = 0; s < HEAD_ROWS_MAX; s++) store.insertBatch(poll(s), T0 + s);
    expect(rows("head")).toBe(0);
    expect(store.countReadings("gw-1")).toBe(HEAD_ROWS_MAX * POINTS.length);
  });

  it("stores nothing twice: a redelivered batch still in the head adds nothing", () => {
    store.insertBatch(poll(0), T0);
    store.insertBatch(poll(1), T0 + 1000);
    expect(store.insertBatch(poll(1), T0 + 2000)).toEqual({ inserted: 0, duplicates: POINTS.length });
    expect(store.countReadings("gw-1")).toBe(2 * POINTS.length);
    expect(store.series(q("v1")).ts).toEqual([T0, T0 + 1000]);
  });

  it("keeps the latest values on every commit, before the readings move", () => {
    store.insertBatch(poll(0), T0);
    store.insertBatch(poll(1), T0 + 1000);
    expect(rows("head")).toBe(2);
    expect(store.points("gw-1").map((p) => [p.point, p.lastTs, p.lastValue])).toEqual(
      poll(1).readings.map((r) => [r.point, r.ts, r.value]),
    );
  });

  it("survives a restart, and a second collector on the same file reads what the first one holds", () => {
    for (let s = 0; s < 10; s++) store.insertBatch(poll(s), T0 + s * 1000);
    const other = openSqliteStore(path);
    try {
      expect(other.series(q("v2")).ts).toHaveLength(10);
    } finally {
      other.close();
    }
    for (let s = 10; s < 20; s++) store.insertBatch(poll(s), T0 + s * 1000);
    store.close();
    store = openSqliteStore(path);
    expect(store.countReadings("gw-1")).toBe(20 * POINTS.length);
    expect(store.series(q("v2")).ts).toHaveLength(20);
  });

  it("stores every reading once whatever the order of commits, pauses and part moves (property)", () => {
    // Gateways of 300 points committing at random moments, the clock jumping past HEAD_AGE_MS now
    // and then: moves in parts interleave with new rows; every read must still see each reading once.
    const step = fc.record({
      gateway: fc.integer({ min: 0, max: 2 }),
      advanceS: fc.constantFrom(1, 2, 30, 121),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => {
        const file = join(dir, `p-${Math.random().toString(36).slice(2)}.db`);
        const s = openSqliteStore(file);
        try {
          const sent = [0, 0, 0];
          let now = T0;
          for (const { gateway, advanceS } of steps) {
            now += advanceS * 1000;
            const batch = wide(`gw-${gateway}`, sent[gateway] as number);
            s.insertBatch({ ...batch, readings: batch.readings.map((r) => ({ ...r, ts: now })) }, now);
            sent[gateway] = (sent[gateway] as number) + 1;
          }
          for (let g = 0; g < 3; g++) {
            const n = sent[g] as number;
            expect(s.countReadings(`gw-${g}`)).toBe(n * 300);
            const p = { gateway: `gw-${g}`, device: "plc", point: "p299", from: T0, to: now + 1 };
            expect(s.series(p).values).toEqual(Array.from({ length: n }, () => 299));
          }
        } finally {
          s.close();
        }
      }),
      { numRuns: 25 },
    );
    // 25 runs of up to 60 commits of 300 readings on disk: ~3 s alone, past 5 s on a busy machine.
  }, 30_000);
});
