import { describe, expect, it } from "vitest";
import {
  addSeries,
  formatHash,
  MAX_SERIES,
  parseHash,
  pickId,
  pickSeries,
  removeSeries,
} from "./selection.js";

describe("URL hash", () => {
  it("parses the documented form, one series= per charted point", () => {
    expect(parseHash("#gw=plant-1&series=meter-1/voltage&series=meter-1/current")).toEqual({
      gateway: "plant-1",
      series: [
        { device: "meter-1", point: "voltage" },
        { device: "meter-1", point: "current" },
      ],
    });
  });

  it("ignores junk and half-specified series", () => {
    expect(parseHash("")).toEqual({});
    expect(parseHash("#foo&series=meter-1&x=1")).toEqual({});
    expect(parseHash("series=/v")).toEqual({});
  });

  it("round-trips ids with reserved characters", () => {
    const sel = { gateway: "plant 1&2", series: [{ device: "a/b", point: "v=1" }] };
    expect(formatHash(sel)).toBe("#gw=plant%201%262&series=a%2Fb/v%3D1");
    expect(parseHash(formatHash(sel))).toEqual(sel);
  });

  it("formats the documented form and nothing for no selection", () => {
    expect(
      formatHash({
        gateway: "plant-1",
        series: [
          { device: "meter-1", point: "voltage" },
          { device: "meter-1", point: "current" },
        ],
      }),
    ).toBe("#gw=plant-1&series=meter-1/voltage&series=meter-1/current");
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

  const points = [
    { device: "m", point: "v" },
    { device: "m", point: "i" },
    { device: "c", point: "t" },
  ];

  it("keeps the known series in order without repeats, else the first point", () => {
    const i = { device: "m", point: "i" };
    const t = { device: "c", point: "t" };
    expect(pickSeries([t, { device: "x", point: "i" }, i, t], points)).toEqual([t, i]);
    expect(pickSeries([{ device: "x", point: "i" }], points)).toEqual([{ device: "m", point: "v" }]);
    expect(pickSeries(undefined, points)).toEqual([{ device: "m", point: "v" }]);
    expect(pickSeries([], [])).toEqual([]);
    expect(pickSeries([i, i], undefined)).toEqual([i]);
  });

  it("opens on a measurement, not a read-write setting or a point without a unit", () => {
    const points = [
      { device: "hall-climate", point: "device_address", unit: "", writable: true },
      { device: "hall-climate", point: "baud_code", writable: true },
      { device: "hall-climate", point: "setpoint", unit: "°C", writable: true },
      { device: "hall-climate", point: "status" },
      { device: "hall-climate", point: "temperature", unit: "°C" },
    ];
    expect(pickSeries(undefined, points)).toEqual([{ device: "hall-climate", point: "temperature" }]);
    const settingsOnly = points.slice(0, 2);
    expect(pickSeries(undefined, settingsOnly)).toEqual([
      { device: "hall-climate", point: "device_address" },
    ]);
  });

  it("caps a chart at MAX_SERIES points", () => {
    const many = Array.from({ length: MAX_SERIES + 3 }, (_, n) => ({ device: "d", point: `p${n}` }));
    expect(pickSeries(many, many)).toHaveLength(MAX_SERIES);
    expect(pickSeries(many, undefined)).toHaveLength(MAX_SERIES);
  });
});

describe("editing a chart's points", () => {
  const v = { device: "m", point: "v" };
  const i = { device: "m", point: "i" };

  it("adds a point once, and not to a full chart", () => {
    expect(addSeries([v], i)).toEqual([v, i]);
    expect(addSeries([v, i], { ...i })).toEqual([v, i]);
    const full = Array.from({ length: MAX_SERIES }, (_, n) => ({ device: "d", point: `p${n}` }));
    expect(addSeries(full, v)).toEqual(full);
  });

  it("removes a point but never the last one", () => {
    expect(removeSeries([v, i], { device: "m", point: "v" })).toEqual([i]);
    expect(removeSeries([v], v)).toEqual([v]);
  });
});
