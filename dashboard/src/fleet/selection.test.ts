import { describe, expect, it } from "vitest";
import { formatHash, parseHash, pickId, pickSeries } from "./selection.js";

describe("URL hash", () => {
  it("parses the documented form", () => {
    expect(parseHash("#gw=plant-1&series=meter-1/voltage")).toEqual({
      gateway: "plant-1",
      device: "meter-1",
      point: "voltage",
    });
  });

  it("ignores junk and half-specified series", () => {
    expect(parseHash("")).toEqual({});
    expect(parseHash("#foo&series=meter-1&x=1")).toEqual({});
    expect(parseHash("series=/v")).toEqual({});
  });

  it("round-trips ids with reserved characters", () => {
    const sel = { gateway: "plant 1&2", device: "a/b", point: "v=1" };
    expect(formatHash(sel)).toBe("#gw=plant%201%262&series=a%2Fb/v%3D1");
    expect(parseHash(formatHash(sel))).toEqual(sel);
  });

  it("formats the documented form and nothing for no selection", () => {
    expect(formatHash({ gateway: "plant-1", device: "meter-1", point: "voltage" })).toBe(
      "#gw=plant-1&series=meter-1/voltage",
    );
    expect(formatHash({ gateway: "plant-1" })).toBe("#gw=plant-1");
    expect(formatHash({})).toBe("");
  });
});

describe("auto-selection", () => {
  it("keeps a known gateway, else falls back to the first", () => {
    expect(pickId("b", ["a", "b"])).toBe("b");
    expect(pickId("zz", ["a", "b"])).toBe("a");
    expect(pickId(undefined, ["a", "b"])).toBe("a");
    expect(pickId(undefined, [])).toBeUndefined();
    expect(pickId("b", undefined)).toBe("b");
  });

  it("keeps a known series, else the first point", () => {
    const points = [
      { device: "m", point: "v" },
      { device: "m", point: "i" },
    ];
    expect(pickSeries({ device: "m", point: "i" }, points)).toEqual({ device: "m", point: "i" });
    expect(pickSeries({ device: "x", point: "i" }, points)).toEqual({ device: "m", point: "v" });
    expect(pickSeries({}, [])).toBeUndefined();
    expect(pickSeries({ device: "m", point: "i" }, undefined)).toEqual({ device: "m", point: "i" });
  });
});
