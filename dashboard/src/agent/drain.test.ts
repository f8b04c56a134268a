import { describe, expect, it } from "vitest";
import { addSample, type DrainState, drainEtaMs, initialDrain, MIN_SPAN_MS, WINDOW_MS } from "./drain.js";

/** Feeds (ms, acked) pairs in order. */
function feed(pairs: [number, number][], state: DrainState = initialDrain): DrainState {
  return pairs.reduce((s, [at, acked]) => addSample(s, { at, acked }), state);
}

/** Polls every 2 s from `start`, acked advancing `perS` readings per second. */
function steady(perS: number, polls: number, start = 0, acked = 0): [number, number][] {
  return Array.from(
    { length: polls },
    (_, i) => [start + i * 2000, acked + perS * i * 2] as [number, number],
  );
}

describe("drain rate", () => {
  it("has no rate until the samples span enough time", () => {
    expect(feed([]).rate).toBeUndefined();
    expect(feed([[0, 100]]).rate).toBeUndefined();
    expect(
      feed([
        [0, 100],
        [MIN_SPAN_MS - 1, 150],
      ]).rate,
    ).toBeUndefined();
    expect(
      feed([
        [0, 100],
        [MIN_SPAN_MS, 160],
      ]).rate,
    ).toBeCloseTo(40);
  });

  it("measures a steady drain exactly", () => {
    const s = feed(steady(50, 20));
    expect(s.rate).toBeCloseTo(50);
  });

  it("keeps only the last ~10 s of samples", () => {
    const s = feed(steady(50, 20));
    const last = s.samples[s.samples.length - 1];
    expect(last?.at).toBe(38_000);
    expect(s.samples[0]?.at).toBe(38_000 - WINDOW_MS);
    expect(s.samples).toHaveLength(6);
  });

  it("smooths a burst instead of following it", () => {
    const before = feed(steady(10, 10));
    // One poll where 400 readings were acked at once (a big batch landing).
    const after = addSample(before, { at: 20_000, acked: 180 + 400 });
    const windowRate = (580 - 100) / 10; // over the 10 s window
    expect(after.rate).toBeGreaterThan(10);
    expect(after.rate).toBeLessThan(windowRate);
  });

  it("converges on a new rate within a few windows", () => {
    const slow = feed(steady(10, 10));
    const fast = feed(steady(100, 20, 20_000, 180), slow);
    expect(fast.rate).toBeCloseTo(100, 0);
  });

  it("drops to 0 at once when nothing was acked during the window", () => {
    const moving = feed(steady(50, 10));
    const stalled = feed(
      Array.from({ length: 6 }, (_, i) => [20_000 + i * 2000, 900] as [number, number]),
      moving,
    );
    expect(stalled.rate).toBe(0);
  });

  it("restarts after a gap in polling rather than averaging over it", () => {
    const s = addSample(feed(steady(50, 10)), { at: 60_000, acked: 5000 });
    expect(s.samples).toHaveLength(1);
    expect(s.rate).toBeUndefined();
    expect(addSample(s, { at: 62_000, acked: 5100 }).rate).toBeCloseTo(50);
  });

  it("restarts when the acked seq goes back (new buffer) and ignores repeated answers", () => {
    const s = feed(steady(50, 10));
    const reset = addSample(s, { at: 20_000, acked: 3 });
    expect(reset).toEqual({ samples: [{ at: 20_000, acked: 3 }], rate: undefined });
    expect(addSample(s, { at: 18_000, acked: 2000 })).toBe(s);
  });
});

describe("drain ETA", () => {
  it("is backlog / rate", () => {
    expect(drainEtaMs(1000, 50)).toBe(20_000);
    expect(drainEtaMs(1, 4)).toBe(250);
  });

  it("has no estimate without a positive rate or without a backlog", () => {
    expect(drainEtaMs(1000, undefined)).toBeUndefined();
    expect(drainEtaMs(1000, 0)).toBeUndefined();
    expect(drainEtaMs(1000, -5)).toBeUndefined();
    expect(drainEtaMs(1000, Number.NaN)).toBeUndefined();
    expect(drainEtaMs(0, 50)).toBeUndefined();
  });
});
