import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Batch } from "@tidegate/protocol";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type InfluxV2StandIn, startInfluxV2StandIn } from "../../../../test/helpers/influx-v2-standin.js";
import { voltageBatch } from "../../../../test/helpers/readings.js";
import { openSqliteStore, type SqliteStore } from "../sqlite-store.js";
import { createInfluxReadings } from "./index.js";

// Readings to InfluxDB (the v2 stand-in), accounting in a real SQLite registry: nothing is
// recorded as stored unless InfluxDB took it, and a redelivered batch is neither written nor counted twice.

let dir: string;
let registry: SqliteStore;
let influx: InfluxV2StandIn;
let readings: ReturnType<typeof createInfluxReadings>;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-influx-readings-"));
  registry = openSqliteStore(join(dir, "c.db"));
  influx = await startInfluxV2StandIn();
  readings = createInfluxReadings(
    { url: influx.url, api: "v2", db: influx.bucket, org: influx.org, token: influx.token },
    registry,
    pino({ level: "silent" }),
    { tuning: { minRetryDelayMs: 10, maxRetryDelayMs: 20, maxRetries: 1 } },
  );
});
afterEach(async () => {
  await readings.close();
  await influx.close();
  registry.close();
  rmSync(dir, { recursive: true, force: true });
});

const batch = (first: number, n: number): Batch => voltageBatch("plant-1", first, n, 3);
const seqOf = () => registry.gateways().find((g) => g.id === "plant-1");

describe("InfluxDB readings backend", () => {
  it("writes readings to InfluxDB and keeps only accounting and latest values in SQLite", async () => {
    const results = await readings.insertBatches([batch(1, 5), batch(6, 5)]);
    expect(results).toEqual([
      { inserted: 5, duplicates: 0 },
      { inserted: 5, duplicates: 0 },
    ]);
    expect(influx.points()).toHaveLength(10);
    expect(seqOf()).toMatchObject({ maxSeq: 10, stored: 10 });
    expect(registry.points("plant-1")).toEqual([
      expect.objectContaining({ device: "m1", point: "voltage", lastValue: 234, lastTs: 1_700_000_010_000 }),
    ]);
    expect(registry.countReadings("plant-1")).toBe(0);
  });

  it("records nothing when the write fails, so the redelivered batch is written then", async () => {
    influx.failNext({ status: 503 }, { status: 503 });
    await expect(readings.insertBatches([batch(1, 5)])).rejects.toThrow(/HTTP 503/);
    expect(seqOf()).toBeUndefined();
    expect(readings.writeStatus?.().lastError).toMatch(/HTTP 503/);
    await readings.insertBatches([batch(1, 5)]);
    expect(seqOf()).toMatchObject({ maxSeq: 5, stored: 5 });
    expect(influx.points()).toHaveLength(5);
  });

  it("does not write or count a redelivered batch again, and counts only the new part of an overlap", async () => {
    await readings.insertBatches([batch(1, 5)]);
    const requests = influx.requests.length;
    expect(await readings.insertBatches([batch(1, 5)])).toEqual([{ inserted: 0, duplicates: 5 }]);
    expect(influx.requests).toHaveLength(requests);
    expect(await readings.insertBatches([batch(4, 4)])).toEqual([{ inserted: 2, duplicates: 2 }]);
    expect(seqOf()).toMatchObject({ maxSeq: 7, stored: 7 });
  });
});
