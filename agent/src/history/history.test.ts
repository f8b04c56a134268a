import type { Reading } from "@tidegate/protocol";
import { describe, expect, it } from "vitest";
import { bytesPerPoint, createHistory, DAY_MS, defaultHistoryLimits, HOUR_MS, MINUTE_MS } from "./history.js";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const r = (ts: number, value: Reading["value"], point = "p", device = "d"): Reading => ({
  ts,
  device,
  point,
  value,
  quality: "good",
});

describe("agent history", () => {
  it("buckets readings per minute with min, max and average", () => {
    const h = createHistory();
    h.record([r(T0, 1), r(T0 + 10_000, 5), r(T0 + 50_000, 3), r(T0 + MINUTE_MS, 10)]);
    const a = h.query("d", "p", "24h", T0 + 2 * MINUTE_MS);
    expect(a?.step).toBe(MINUTE_MS);
    expect(a?.ts).toEqual([T0, T0 + MINUTE_MS]);
    expect(a?.series[0].values).toEqual([3, 10]);
    expect(a?.series[0].min).toEqual([1, 10]);
    expect(a?.series[0].max).toEqual([5, 10]);
  });

  it("answers the last hour raw, in time order, while the raw ring reaches back an hour", () => {
    const h = createHistory();
    h.record([r(T0 + 2000, 2), r(T0 + 1000, 1), r(T0 - 2 * HOUR_MS, 99)]);
    const a = h.query("d", "p", "1h", T0 + 3000);
    expect(a).toEqual({ step: "raw", ts: [T0 + 1000, T0 + 2000], series: [{ values: [1, 2] }] });
  });

  it("answers the hour in minute buckets once fast polling overran the raw ring", () => {
    const h = createHistory({ ...defaultHistoryLimits, rawPerPoint: 10 });
    h.record(Array.from({ length: 30 }, (_, i) => r(T0 + i * 5000, i)));
    const a = h.query("d", "p", "1h", T0 + 30 * 5000);
    expect(a?.step).toBe(MINUTE_MS);
    // 30 readings 5 s apart span 2.5 minutes: all of them are in the buckets, though the ring kept 10.
    expect(a?.ts).toEqual([T0, T0 + MINUTE_MS, T0 + 2 * MINUTE_MS]);
    expect(a?.series[0].min).toEqual([0, 12, 24]);
  });

  it("keeps a day of buckets and no more: a slot is reused by the newer minute", () => {
    const h = createHistory({ ...defaultHistoryLimits, minutes: 60 });
    h.record([r(T0, 1), r(T0 + HOUR_MS, 2)]);
    const a = h.query("d", "p", "24h", T0 + HOUR_MS);
    expect(a?.ts).toEqual([T0 + HOUR_MS]);
    // A late reading for a minute whose slot a newer minute holds is not kept.
    h.record([r(T0 + 30_000, 7)]);
    expect(h.query("d", "p", "24h", T0 + HOUR_MS)?.series[0].values).toEqual([2]);
  });

  it("leaves out buckets older than the range", () => {
    const h = createHistory();
    h.record([r(T0 - DAY_MS - MINUTE_MS, 1), r(T0 - HOUR_MS / 2, 2), r(T0, 3)]);
    expect(h.query("d", "p", "24h", T0)?.series[0].values).toEqual([2, 3]);
    expect(h.query("d", "p", "1h", T0)?.series[0].values).toEqual([2, 3]);
  });

  it("keeps numbers and on/off only, and no more points than its limit", () => {
    const h = createHistory({ ...defaultHistoryLimits, maxPoints: 2 });
    h.record([
      r(T0, "text", "s"),
      r(T0, null, "n"),
      r(T0, Number.NaN, "nan"),
      r(T0, true, "b"),
      r(T0, 4, "x"),
    ]);
    h.record([r(T0, 5, "y")]);
    expect(h.has("d", "s") || h.has("d", "n") || h.has("d", "nan")).toBe(false);
    expect(h.query("d", "b", "1h", T0 + 1)?.series[0].values).toEqual([1]);
    expect(h.has("d", "x")).toBe(true);
    expect(h.has("d", "y")).toBe(false);
    expect(h.query("d", "y", "1h", T0)).toBeUndefined();
    expect(h.stats()).toEqual({ points: 2, refusedReadings: 1, bytes: 2 * bytesPerPoint(h.limits) });
  });

  it("states its bound: under 66 KB a point and 8.5 MB in all with the defaults", () => {
    expect(bytesPerPoint(defaultHistoryLimits)).toBeLessThan(66 * 1024);
    expect(bytesPerPoint(defaultHistoryLimits) * defaultHistoryLimits.maxPoints).toBeLessThan(
      8.5 * 1024 * 1024,
    );
  });
});
