import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrateSync } from "@tidegate/node-kit";
import type { Batch } from "@tidegate/protocol";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { heartbeatAt } from "../../../test/helpers/heartbeat.js";
import { storeSchema } from "./schema.js";
import { bucketize, grid } from "./series-query.js";
import { openSqliteStore, type SqliteStore, upgradeSqliteStore } from "./sqlite-store.js";

let dir: string;
let store: SqliteStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-store-"));
  store = openSqliteStore(join(dir, "c.db"));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const batch = (first: number, values: (number | null)[], gateway = "plant-1", epoch = 0): Batch => ({
  gateway,
  epoch,
  firstSeq: first,
  lastSeq: first + values.length - 1,
  readings: values.map((v, i) => ({
    seq: first + i,
    ts: 1000 * (first + i),
    device: "m1",
    point: "voltage",
    value: v,
    quality: v === null ? "bad" : "good",
    ...(v === null ? { reason: "timeout after 1000 ms" } : {}),
  })),
});

describe("collector SQLite store", () => {
  it("stores a batch and answers a series query in time order, bad readings as gaps", () => {
    expect(store.insertBatch(batch(1, [230, null, 231]))).toEqual({ inserted: 3, duplicates: 0 });
    expect(store.series({ gateway: "plant-1", device: "m1", point: "voltage", from: 0, to: 10_000 })).toEqual(
      {
        ts: [1000, 2000, 3000],
        values: [230, null, 231],
      },
    );
  });

  it("is idempotent on (gateway, seq): a redelivered or overlapping batch adds nothing twice", () => {
    store.insertBatch(batch(1, [1, 2, 3]));
    expect(store.insertBatch(batch(1, [1, 2, 3]))).toEqual({ inserted: 0, duplicates: 3 });
    expect(store.insertBatch(batch(3, [3, 4]))).toEqual({ inserted: 1, duplicates: 1 });
    expect(store.countReadings("plant-1")).toBe(4);
    expect(store.gateways().find((g) => g.id === "plant-1")).toMatchObject({ maxSeq: 4, stored: 4 });
    // Same seqs from another gateway are different readings.
    expect(store.insertBatch(batch(1, [9], "plant-2")).inserted).toBe(1);
  });

  it("stores several batches in one transaction and reports each", () => {
    expect(store.insertBatches([batch(1, [1, 2]), batch(2, [2, 3]), batch(1, [9], "plant-2")])).toEqual([
      { inserted: 2, duplicates: 0 },
      { inserted: 1, duplicates: 1 },
      { inserted: 1, duplicates: 0 },
    ]);
    expect(store.gateways().map((g) => [g.id, g.maxSeq, g.stored])).toEqual([
      ["plant-1", 3, 3],
      ["plant-2", 1, 1],
    ]);
    // The overlap inside one commit is stored once.
    expect(store.series({ gateway: "plant-1", device: "m1", point: "voltage", from: 0, to: 10_000 })).toEqual(
      {
        ts: [1000, 2000, 3000],
        values: [1, 2, 3],
      },
    );
  });

  it("keeps a reinstalled gateway's new buffer (new epoch, seqs from 1 again) apart from the old one", () => {
    store.insertBatch(batch(1, [1, 2, 3], "plant-1", 111), 1000);
    expect(store.insertBatch(batch(1, [7, 8], "plant-1", 222), 2000)).toEqual({ inserted: 2, duplicates: 0 });
    expect(store.countReadings("plant-1")).toBe(5);
    // Completeness follows the epoch the live agent reports; before a heartbeat, the newest one.
    expect(store.gateways()[0]).toMatchObject({ maxSeq: 2, stored: 2 });
    store.saveHeartbeat(heartbeatAt("plant-1", 1, { lastSeq: 3, epoch: 111, ackedSeq: 3 }), 5);
    expect(store.gateways()[0]).toMatchObject({ maxSeq: 3, stored: 3 });
  });

  it("accepts batches out of order and keeps the newest value in the catalog", () => {
    store.insertBatch(batch(5, [50]));
    store.insertBatch(batch(1, [10]));
    expect(store.points("plant-1")).toEqual([
      { gateway: "plant-1", device: "m1", point: "voltage", lastTs: 5000, lastValue: 50 },
    ]);
    expect(
      store.series({ gateway: "plant-1", device: "m1", point: "voltage", from: 0, to: 10_000 }).values,
    ).toEqual([10, 50]);
  });

  it("records gateways from batches and heartbeats", () => {
    store.insertBatch(batch(1, [1]), 111);
    store.saveHeartbeat(
      {
        v: 1,
        gateway: "plant-1",
        version: "0.1.0",
        ts: 1,
        uptimeS: 5,
        backlog: 7,
        oldestUnsentAgeMs: 300,
        lastSeq: 8,
        epoch: 0,
        ackedSeq: 1,
        droppedRanges: [],
        dropped: {},
        uplinkConnected: true,
        alarms: [],
        sources: [],
        activeAlerts: [],
      },
      222,
    );
    const [g] = store.gateways();
    expect(g).toMatchObject({
      id: "plant-1",
      lastSeen: 222,
      heartbeat: { backlog: 7, version: "0.1.0" },
      maxSeq: 1,
      stored: 1,
    });
  });

  it("remembers the wire version of each gateway's latest batch", () => {
    store.insertBatch({ ...batch(1, [1]), wireVersion: 1 });
    expect(store.gateways()[0]?.wireVersion).toBe(1);
    store.insertBatch({ ...batch(2, [2]), wireVersion: 2 });
    expect(store.gateways()[0]?.wireVersion).toBe(2);
  });
});

describe("rollups of a store upgraded from before rollups", () => {
  it("are filled from the readings already stored", async () => {
    const path = join(dir, "old.db");
    const old = new Database(path);
    migrateSync(old, { ...storeSchema, migrations: storeSchema.migrations.slice(0, 4) }, path);
    const insert = old.prepare(
      "INSERT INTO readings (gateway, epoch, seq, device, point, ts, num, text, quality, reason) VALUES ('g', 0, ?, 'm', 'v', ?, ?, NULL, ?, NULL)",
    );
    [
      [1, 60_000, 10, 0],
      [2, 70_000, 30, 0],
      [3, 80_000, 999, 1], // bad: a gap, not a value
      [4, 130_000, 5, 0],
    ].forEach(([seq, ts, num, quality]) => {
      insert.run(seq, ts, num, quality);
    });
    old.close();

    await upgradeSqliteStore(path, {});
    const upgraded = openSqliteStore(path);
    try {
      // The readings themselves moved into chunks, and which seqs are stored into seq runs.
      expect(upgraded.series({ gateway: "g", device: "m", point: "v", from: 0, to: 200_000 })).toEqual({
        ts: [60_000, 70_000, 80_000, 130_000],
        values: [10, 30, null, 5],
      });
      expect(upgraded.countReadings("g")).toBe(4);
      expect(upgraded.insertBatch({ ...batch(4, [1, 2]), gateway: "g" })).toEqual({
        inserted: 1,
        duplicates: 1,
      });
      expect(
        upgraded.partials("rollup_1m", { gateway: "g", device: "m", point: "v", from: 0, to: 200_000 }),
      ).toEqual([
        { t: 60_000, n: 2, total: 40, lo: 10, hi: 30, lastTs: 70_000, last: 30 },
        { t: 120_000, n: 1, total: 5, lo: 5, hi: 5, lastTs: 130_000, last: 5 },
      ]);
      expect(
        upgraded.partials("rollup_1h", { gateway: "g", device: "m", point: "v", from: 0, to: 200_000 }),
      ).toEqual([{ t: 0, n: 3, total: 45, lo: 5, hi: 30, lastTs: 130_000, last: 5 }]);
      // Step 11 folds the 15-minute and 1-day tiers from the minutes and hours already there.
      for (const tier of ["rollup_15m", "rollup_1d"] as const)
        expect(
          upgraded.partials(tier, { gateway: "g", device: "m", point: "v", from: 0, to: 200_000 }),
        ).toEqual([{ t: 0, n: 3, total: 45, lo: 5, hi: 30, lastTs: 130_000, last: 5 }]);
    } finally {
      upgraded.close();
    }
  });
});

describe("alert events", () => {
  const ev = (state: "raised" | "cleared" | "acked", at: number, device = "m1") => ({
    v: 1 as const,
    gateway: "plant-1",
    rule: "high-voltage",
    device,
    point: "voltage",
    severity: "critical" as const,
    state,
    at,
    value: 251,
    message: "voltage is 251, above 250",
  });

  it("stores each event once and knows which alerts are active", () => {
    expect(store.insertAlert(ev("raised", 1000))).toBe(true);
    expect(store.insertAlert(ev("raised", 1000))).toBe(false); // redelivered
    store.insertAlert(ev("raised", 1100, "m2"));
    store.insertAlert(ev("cleared", 1100, "m2")); // same instant: cleared wins
    expect(store.activeAlerts().map((a) => a.device)).toEqual(["m1"]);
    store.insertAlert(ev("cleared", 2000));
    expect(store.activeAlerts()).toEqual([]);
    expect(store.recentAlerts().map((a) => `${a.device}:${a.state}@${a.at}`)).toEqual([
      "m1:cleared@2000",
      expect.stringMatching(/^m2:(raised|cleared)@1100$/),
      expect.stringMatching(/^m2:(raised|cleared)@1100$/),
      "m1:raised@1000",
    ]);
  });

  it("an acknowledgement marks the active alert without ending it; a new raise needs a new one", () => {
    store.insertAlert(ev("raised", 1000));
    store.insertAlert(ev("acked", 1500));
    expect(store.activeAlerts().map((a) => [a.state, a.at, a.ackedAt])).toEqual([["raised", 1000, 1500]]);
    store.insertAlert(ev("cleared", 2000));
    store.insertAlert(ev("raised", 3000));
    expect(store.activeAlerts().map((a) => [a.state, a.at, a.ackedAt])).toEqual([["raised", 3000, null]]);
  });
});

function expectSameColumn(got: readonly (number | null)[], want: readonly (number | null)[]) {
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => {
    if (v === null || want[i] === null) expect(v).toBe(want[i]);
    else expect(v).toBeCloseTo(want[i] as number, 9);
  });
}

describe("chart buckets folded in SQL", () => {
  /** Irregular times across ~3.5 days, with values that are not round in binary; some bad. */
  function loadIrregular() {
    const readings = Array.from({ length: 5000 }, (_, i) => ({
      seq: i + 1,
      ts: 1_700_000_000_000 + i * 61_003 + (i % 7) * 997,
      device: "m",
      point: "v",
      value: Math.sin(i / 13) * 100 + i / 3,
      quality: (i % 50 === 0 ? "bad" : "good") as "bad" | "good",
    }));
    store.insertBatch({ gateway: "g", epoch: 1, firstSeq: 1, lastSeq: readings.length, readings });
    return {
      gateway: "g",
      device: "m",
      point: "v",
      from: readings[10]?.ts as number,
      to: readings[4900]?.ts as number,
    };
  }

  it("from raw readings give the same avg, min, max and last folded while scanned as from every reading", () => {
    const q = loadIrregular();
    // Raw readings folded while scanned; rollup tiers fold in SQL (the test below).
    for (const stepMs of [300_000, 1_800_000]) {
      const axis = grid(q.from, q.to, stepMs);
      for (const agg of ["avg", "min", "max", "last"] as const) {
        const eachReading = bucketize(store.partials("raw", q), axis, stepMs, agg).values;
        const folded = bucketize(store.partials("raw", q, stepMs), axis, stepMs, agg).values;
        expectSameColumn(folded, eachReading);
      }
    }
  });

  it("chart columns aggregated in SQL from a rollup tier equal bucketing its rows in JavaScript", () => {
    const q = loadIrregular();
    for (const [source, stepMs] of [
      ["rollup_1m", 600_000],
      ["rollup_15m", 900_000],
      ["rollup_15m", 1_800_000],
      ["rollup_1h", 21_600_000],
      ["rollup_1d", 86_400_000],
    ] as const) {
      const axis = grid(q.from, q.to, stepMs);
      for (const agg of ["avg", "min", "max", "last", "minmax"] as const) {
        const inJs = bucketize(store.partials(source, q), axis, stepMs, agg);
        const inSql = store.chartBuckets(source, q, stepMs, axis, agg);
        expect(inJs.values.some((v) => v !== null)).toBe(true);
        expectSameColumn(inSql.values, inJs.values);
        expect(inSql.min === undefined).toBe(inJs.min === undefined);
        if (inJs.min && inJs.max) {
          expectSameColumn(inSql.min ?? [], inJs.min);
          expectSameColumn(inSql.max ?? [], inJs.max);
        }
      }
    }
  });
});

describe("coarser rollup tiers", () => {
  it("hold what folding the finer tier (and the readings) gives, whatever order batches come in", () => {
    const start = Date.UTC(2026, 10, 1, 23, 50);
    const readings = Array.from({ length: 3000 }, (_, i) => ({
      seq: i + 1,
      ts: start + i * 37_000, // ~31 h, across a day boundary
      device: "m",
      point: "v",
      value: Math.cos(i / 17) * 50 + i / 7,
      quality: (i % 41 === 0 ? "bad" : "good") as "bad" | "good",
    }));
    // Out of order: the second half first, then the first half in small batches.
    const half = readings.slice(1500);
    store.insertBatch({ gateway: "g", epoch: 1, firstSeq: 1501, lastSeq: 3000, readings: half });
    for (let i = 0; i < 1500; i += 100)
      store.insertBatch({
        gateway: "g",
        epoch: 1,
        firstSeq: i + 1,
        lastSeq: i + 100,
        readings: readings.slice(i, i + 100),
      });
    const q = { gateway: "g", device: "m", point: "v", from: 0, to: start + 4 * 86_400_000 };
    const fold = (source: "raw" | "rollup_1m" | "rollup_1h", ms: number) => {
      const out = new Map<number, { n: number; total: number; lo: number; hi: number; last: number }>();
      for (const p of store.partials(source, q)) {
        const t = Math.floor(p.t / ms) * ms;
        const a = out.get(t);
        if (!a) out.set(t, { n: p.n, total: p.total, lo: p.lo, hi: p.hi, last: p.last });
        else {
          a.n += p.n;
          a.total += p.total;
          a.lo = Math.min(a.lo, p.lo);
          a.hi = Math.max(a.hi, p.hi);
          a.last = p.last; // partials come in time order
        }
      }
      return out;
    };
    for (const [tier, ms, finer] of [
      ["rollup_15m", 900_000, "rollup_1m"],
      ["rollup_1d", 86_400_000, "rollup_1h"],
    ] as const) {
      const stored = store.partials(tier, q);
      expect(stored.length).toBeGreaterThan(1);
      for (const expected of [fold(finer, ms), fold("raw", ms)]) {
        expect(stored.map((p) => p.t)).toEqual([...expected.keys()]);
        for (const p of stored) {
          const e = expected.get(p.t);
          expect(p.n).toBe(e?.n);
          expect(p.total).toBeCloseTo(e?.total ?? Number.NaN, 6);
          expect([p.lo, p.hi, p.last]).toEqual([e?.lo, e?.hi, e?.last]);
        }
      }
    }
  });
});

describe("a store opened beside a writer (writesElsewhere)", () => {
  it("reads what is committed and never moves a head or writes latest values itself", () => {
    const reader = openSqliteStore(join(dir, "c.db"), { writesElsewhere: true });
    try {
      // One reading a series: it waits in the writer's head (head.ts).
      store.insertBatch(batch(1, [230]));
      const voltage = { gateway: "plant-1", device: "m1", point: "voltage", from: 0, to: 10_000 };
      expect(reader.series(voltage)).toEqual({ ts: [], values: [] });
      expect(reader.points("plant-1")).toEqual([]);
      expect(reader.gateways()).toMatchObject([{ id: "plant-1", maxSeq: 1, stored: 1 }]);
      // What a read asks the writer first (store/writer/): then the reader sees it all.
      store.settle("plant-1");
      store.writeLatest("plant-1");
      expect(reader.series(voltage)).toEqual({ ts: [1000], values: [230] });
      expect(reader.points("plant-1")).toMatchObject([{ point: "voltage", lastValue: 230 }]);
    } finally {
      reader.close();
    }
  });
});
