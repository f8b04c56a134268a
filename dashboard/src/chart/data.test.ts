import { describe, expect, it } from "vitest";
import { appendLive, isEmpty, toUplotData, type UplotData } from "./data.js";

describe("toUplotData", () => {
  it("converts ms to seconds and keeps nulls as gaps", () => {
    expect(
      toUplotData({ ts: [1_700_000_000_000, 1_700_000_001_000, 1_700_000_002_500], values: [1.5, null, 3] }),
    ).toEqual([
      [1_700_000_000, 1_700_000_001, 1_700_000_002.5],
      [1.5, null, 3],
    ]);
  });

  it("handles missing or empty series", () => {
    expect(toUplotData(undefined)).toEqual([[], []]);
    expect(toUplotData(null)).toEqual([[], []]);
    expect(toUplotData({ ts: [], values: [] })).toEqual([[], []]);
  });

  it("sorts by time, truncates to the shorter array, and cleans odd values", () => {
    expect(
      toUplotData({
        ts: [3000, 1000, 2000, Number.NaN, 5000],
        values: [3, true, Number.POSITIVE_INFINITY, 9],
      }),
    ).toEqual([
      [1, 2, 3],
      [1, null, 3],
    ]);
  });

  it("optionally breaks the line across long silences", () => {
    const ts = [0, 1000, 2000, 3000, 60_000, 61_000];
    const values = [1, 2, 3, 4, 5, 6];
    expect(toUplotData({ ts, values })[0]).toHaveLength(6);
    expect(toUplotData({ ts, values }, { splitGaps: true })).toEqual([
      [0, 1, 2, 3, 31.5, 60, 61],
      [1, 2, 3, 4, null, 5, 6],
    ]);
  });
});

describe("isEmpty", () => {
  it("is true for no samples or only nulls", () => {
    expect(isEmpty([[], []])).toBe(true);
    expect(
      isEmpty([
        [1, 2],
        [null, null],
      ]),
    ).toBe(true);
    expect(
      isEmpty([
        [1, 2],
        [null, 0],
      ]),
    ).toBe(false);
  });
});

describe("appendLive", () => {
  const polled: UplotData = [
    [100, 110, 120],
    [1, 2, 3],
  ];
  const window = { from: 100_000, to: 125_000 };

  it("appends readings newer than the last polled sample, in time order, and slides the window", () => {
    const out = appendLive(
      polled,
      [
        { ts: 140_000, value: 5 },
        { ts: 130_000, value: 4 },
        { ts: 120_000, value: 99 }, // already polled
      ],
      window,
    );
    // The window moved 15 s: the sample at 110 s slid out.
    expect(out.data).toEqual([
      [120, 130, 140],
      [3, 4, 5],
    ]);
    expect(out.window).toEqual({ from: 115_000, to: 140_000 });
  });

  it("keeps a bad reading as a gap and changes nothing without news", () => {
    expect(appendLive(polled, [{ ts: 121_000, value: null }], window).data[1]).toEqual([1, 2, 3, null]);
    expect(appendLive(polled, [], window)).toEqual({ data: polled, window });
  });
});
