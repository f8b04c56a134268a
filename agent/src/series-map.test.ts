import { describe, expect, it } from "vitest";
import { createSeriesMap } from "./series-map.js";

describe("the series map", () => {
  it("keeps one value per device and point, counts series once, and lists them in insertion order", () => {
    const m = createSeriesMap<number>();
    m.set("meter", "v", 1);
    m.set("meter", "i", 2);
    m.set("meter/x", "v", 3); // a slash in an id cannot collide with another series
    m.set("meter", "v", 4);
    expect(m.get("meter", "v")).toBe(4);
    expect(m.get("meter", "x/v")).toBeUndefined();
    expect(m.get("meter/x", "v")).toBe(3);
    expect(m.size).toBe(3);
    expect([...m.values()]).toEqual([4, 2, 3]);
  });
});
