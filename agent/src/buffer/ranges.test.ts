import { describe, expect, it } from "vitest";
import { addRange, advanceWatermark, rangeLength } from "./ranges.js";

describe("seq ranges", () => {
  it("merge when they touch or overlap", () => {
    let r = addRange([], 5, 7);
    r = addRange(r, 1, 2);
    r = addRange(r, 8, 9);
    expect(r).toEqual([
      [1, 2],
      [5, 9],
    ]);
    expect(addRange(r, 3, 4)).toEqual([[1, 9]]);
    expect(rangeLength(r)).toBe(7);
  });

  it("a watermark moves over ranges that start right after it", () => {
    expect(
      advanceWatermark(4, [
        [5, 9],
        [12, 14],
      ]),
    ).toEqual({ watermark: 9, rest: [[12, 14]] });
    expect(advanceWatermark(4, [[6, 9]])).toEqual({ watermark: 4, rest: [[6, 9]] });
    expect(advanceWatermark(10, [[6, 9]])).toEqual({ watermark: 10, rest: [] });
  });
});
