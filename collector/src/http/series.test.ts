import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openAuthStore } from "@tidegate/http-kit";
import type { Batch } from "@tidegate/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteStore, type SqliteStore } from "../store/sqlite-store.js";
import { createCollectorApp } from "./app.js";

/** These tests are about what the routes answer; who may ask is proven in auth-routes.test.ts. */
const anyoneReads = () => ({ store: openAuthStore(":memory:"), anonymousRole: "viewer" as const });

// Chart queries against a real SQLite store: two days of a reading every 10 s for two series.

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 20); // midnight, so buckets line up with round times
let dir: string;
let store: SqliteStore;
let app: ReturnType<typeof createCollectorApp>;

function batch(first: number, readings: Batch["readings"]): Batch {
  return { gateway: "plant-1", epoch: 1, firstSeq: first, lastSeq: first + readings.length - 1, readings };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-series-"));
  store = openSqliteStore(join(dir, "c.db"));
  app = createCollectorApp({ auth: anyoneReads(), store, version: "t", now: () => T0 + 2 * DAY });
  let seq = 1;
  const readings: Batch["readings"] = [];
  for (let t = T0; t < T0 + 2 * DAY; t += 10_000) {
    const minute = Math.floor((t - T0) / 60_000);
    readings.push({
      seq: seq++,
      ts: t,
      device: "m1",
      point: "voltage",
      value: 200 + (minute % 60),
      quality: "good",
    });
    readings.push({ seq: seq++, ts: t, device: "m1", point: "current", value: 5, quality: "good" });
  }
  // Sent in shuffled batches of 500, as a backfill arrives: rollups must not care about the order.
  const chunks: Batch["readings"][] = [];
  for (let i = 0; i < readings.length; i += 500) chunks.push(readings.slice(i, i + 500));
  for (const c of chunks.reverse()) store.insertBatch(batch((c[0] as { seq: number }).seq, c));
  // A repeat changes nothing, in readings or rollups.
  store.insertBatch(batch(1, readings.slice(0, 500)));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = async (q: string) => {
  const res = await app.request(`/api/v1/series?${q}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
};

describe("series queries", () => {
  it("auto picks a rollup for two days: under 1,500 points, minute-aligned, values right", async () => {
    const body = await get(`gateway=plant-1&device=m1&point=voltage&from=${T0}&to=${T0 + 2 * DAY - 1}`);
    expect(body.source).toBe("rollup_1m");
    expect(body.step).toBe(120_000);
    expect(body.ts.length).toBeLessThanOrEqual(1500);
    expect(body.ts[0]).toBe(T0);
    // Minutes 0 and 1 hold 200 and 201, six readings each: the 2-minute bucket averages 200.5.
    expect(body.values[0]).toBe(200.5);
  });

  it("agg min/max/last and a minmax band come from the same buckets", async () => {
    const q = `gateway=plant-1&device=m1&point=voltage&from=${T0}&to=${T0 + DAY - 1}&step=1h`;
    const max = await get(`${q}&agg=max`);
    expect(max.source).toBe("rollup_1h");
    expect(max.values.slice(0, 2)).toEqual([259, 259]);
    expect((await get(`${q}&agg=min`)).values[0]).toBe(200);
    expect((await get(`${q}&agg=last`)).values[0]).toBe(259);
    const band = await get(`${q}&agg=minmax`);
    expect([band.min[0], band.values[0], band.max[0]]).toEqual([200, 229.5, 259]);
  });

  it("several series share one time axis; gaps are nulls", async () => {
    const body = await get(
      `series=plant-1/m1/voltage&series=plant-1/m1/current&series=plant-1/m1/nothing&from=${T0 + 2 * DAY - 600_000}&to=${T0 + 2 * DAY + 600_000}&step=1m`,
    );
    expect(body.series.map((s: { point: string }) => s.point)).toEqual(["voltage", "current", "nothing"]);
    const [v, c, none] = body.series;
    expect(body.ts).toHaveLength(21);
    expect(v.values.slice(0, 10).every((x: number | null) => x !== null)).toBe(true);
    expect(v.values.slice(10).every((x: number | null) => x === null)).toBe(true);
    expect(c.values[0]).toBe(5);
    expect(none.values.every((x: number | null) => x === null)).toBe(true);
  });

  it("a short range answers the readings themselves", async () => {
    const body = await get(`gateway=plant-1&device=m1&point=current&from=${T0}&to=${T0 + 60_000}`);
    expect(body.step).toBe("raw");
    expect(body.ts).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => T0 + i * 10_000));
  });

  it("raw for a long range is refused with what to do instead", async () => {
    const res = await app.request(
      `/api/v1/series?gateway=plant-1&device=m1&point=voltage&from=${T0}&to=${T0 + 2 * DAY}&step=raw`,
    );
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/more than 10000 raw readings .* use step=auto/);
  });

  it("refuses times past what a date holds, and keeps a range of ages to a bounded chart", async () => {
    const beyond = await app.request(
      "/api/v1/series.csv?series=plant-1/m1/voltage&from=0&to=9007199254740991&step=auto",
    );
    expect(beyond.status).toBe(400);
    expect((await beyond.json()).error).toMatch(/^to: expected a time in ms up to 8640000000000000/);
    const ages = await app.request(
      "/api/v1/series?gateway=plant-1&device=m1&point=voltage&from=0&to=8640000000000000",
    );
    expect(ages.status).toBe(200);
    expect((await ages.json()).ts.length).toBeLessThanOrEqual(1501);
  });

  it("exports what a chart shows as CSV", async () => {
    const res = await app.request(
      `/api/v1/series.csv?series=plant-1/m1/voltage&series=plant-1/m1/current&from=${T0}&to=${T0 + 180_000}&step=1m`,
    );
    expect(res.headers.get("content-type")).toMatch(/text\/csv/);
    const lines = (await res.text()).trim().split("\n");
    expect(lines[0]).toBe("time,plant-1/m1/voltage,plant-1/m1/current");
    expect(lines[1]).toBe("2026-11-20T00:00:00.000Z,200,5");
    expect(lines).toHaveLength(5);
  });
});
