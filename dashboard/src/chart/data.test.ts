import { describe, expect, it } from "vitest";
import {
  appendLive,
  type Columns,
  drawnCounts,
  gapTimes,
  lastValues,
  layoutOf,
  mergeCells,
  toColumns,
  toUplot,
} from "./data.js";

describe("toColumns", () => {
  it("keeps empty buckets as gaps and takes min and max as a band", () => {
    const cols = toColumns({
      step: 60_000,
      ts: [0, 60_000, 120_000],
      series: [
        { values: [2, null, 4], min: [1, null, 3], max: [3, null, 5] },
        { values: [7, 8, Number.NaN as unknown as number] },
      ],
    });
    expect(cols.lines).toEqual([
      [2, null, 4],
      [7, 8, null],
    ]);
    expect(cols.bands).toEqual([
      [
        [3, null, 5],
        [1, null, 3],
      ],
      undefined,
    ]);
    expect(cols.step).toBe(60_000);
  });

  it("joins over raw rows where another series has the reading, and breaks at real gaps", () => {
    // Series 0 reads every second, then nothing for 10 s; series 1 reads in between.
    const cols = toColumns({
      step: "raw",
      ts: [0, 500, 1000, 2000, 3000, 13_000],
      series: [{ values: [1, null, 2, 3, 4, 5] }, { values: [null, 9, null, null, null, null] }],
    });
    expect(cols.x).toEqual([0, 500, 1000, 2000, 3000, 8000, 13_000]);
    expect(cols.lines[0]).toEqual([1, undefined, 2, 3, 4, null, 5]);
    expect(cols.lines[1]).toEqual([undefined, 9, undefined, undefined, undefined, undefined, undefined]);
    expect(cols.bands).toEqual([undefined, undefined]);
  });

  it("handles an empty answer", () => {
    const cols = toColumns({ step: "raw", ts: [], series: [{ values: [] }] });
    expect(cols).toEqual({ x: [], lines: [[]], bands: [undefined], step: "raw" });
    expect(drawnCounts(cols)).toEqual([0]);
    expect(lastValues(cols)).toEqual([undefined]);
  });
});

describe("gapTimes", () => {
  it("marks the middle of spacings over 5× the median", () => {
    expect(gapTimes([0, 1000, 2000, 3000, 20_000, 21_000])).toEqual([11_500]);
    expect(gapTimes([0, 1000])).toEqual([]);
    expect(gapTimes([5, 5, 5])).toEqual([]);
  });
});

const base: Columns = {
  x: [1000, 2000],
  lines: [
    [1, 2],
    [10, 20],
  ],
  bands: [undefined, undefined],
  step: "raw",
};

describe("live readings", () => {
  it("merges cells in time order, an existing time in place", () => {
    const merged = mergeCells(base, [
      { index: 1, ts: 1500, value: 15 },
      { index: 0, ts: 2000, value: 2.5 },
    ]);
    expect(merged.x).toEqual([1000, 1500, 2000]);
    expect(merged.lines).toEqual([
      [1, undefined, 2.5],
      [10, 15, 20],
    ]);
  });

  it("appends only newer readings and slides a window that follows the clock", () => {
    const { cols, window } = appendLive(
      base,
      [
        { index: 0, ts: 500, value: 99 },
        { index: 0, ts: 3000, value: 3 },
        { index: 1, ts: 3500, value: null },
      ],
      { from: 0, to: 3000 },
    );
    expect(window).toEqual({ from: 500, to: 3500 });
    expect(cols.x).toEqual([1000, 2000, 3000, 3500]);
    expect(cols.lines).toEqual([
      [1, 2, 3, undefined],
      [10, 20, undefined, null],
    ]);
    expect(lastValues(cols)).toEqual([3, 20]);
    expect(drawnCounts(cols)).toEqual([3, 2]);
  });

  it("drops rows that slid out of the window", () => {
    const { cols } = appendLive(base, [{ index: 0, ts: 4500, value: 4 }], { from: 0, to: 3000 });
    expect(cols.x).toEqual([2000, 4500]);
    expect(cols.lines[0]).toEqual([2, 4]);
  });

  it("leaves data alone when nothing new arrived", () => {
    const w = { from: 0, to: 3000 };
    expect(appendLive(base, [], w)).toEqual({ cols: base, window: w });
  });
});

describe("uPlot layout", () => {
  it("puts band edges before the lines so lines draw on top", () => {
    const cols: Columns = {
      x: [60_000],
      lines: [[2], [7], [5]],
      bands: [[[3], [1]], undefined, [[6], [4]]],
      step: 60_000,
    };
    const layout = layoutOf(cols);
    expect(layout).toEqual({ bands: [[1, 2], undefined, [3, 4]], lines: [5, 6, 7] });
    const data = toUplot(cols);
    expect(data).toEqual([[60], [3], [1], [6], [4], [2], [7], [5]]);
    expect(data[layout.lines[1] as number]).toEqual([7]);
  });
});
