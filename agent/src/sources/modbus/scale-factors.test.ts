import { type PointSpec, pointSchema } from "@tidegate/profiles";
import type { Reading } from "@tidegate/protocol";
import { describe, expect, it } from "vitest";
import { applyScaleFactors } from "./scale-factors.js";

const point = (id: string, extra: Record<string, unknown> = {}): PointSpec =>
  pointSchema.parse({ id, name: id, register: { table: "holding", address: 0, type: "int16" }, ...extra });
const points = new Map(
  [
    point("v", { scaleFactor: "v_sf" }),
    point("t", { scaleFactor: "t_sf", offset: -40 }),
    point("w", { scaleFactor: "w_sf" }),
    point("v_sf"),
    point("t_sf"),
    point("w_sf"),
  ].map((p) => [p.id, p]),
);
const good = (p: string, value: number): Reading => ({
  ts: 1,
  device: "d",
  point: p,
  value,
  quality: "good",
});

describe("applyScaleFactors", () => {
  it("multiplies by ten to the factor read in the same poll, leaving the offset alone", () => {
    const readings = [
      good("v", 2306),
      good("v_sf", -1),
      good("t_sf", 1),
      good("t", -38),
      good("w", 5),
      good("w_sf", 3),
    ];
    applyScaleFactors(points, readings);
    expect(readings.map((r) => r.value)).toEqual([230.6, -1, 1, -20, 5000, 3]);
  });

  it("makes a point bad when its factor is bad or not a power of ten", () => {
    const readings: Reading[] = [
      good("v", 2306),
      { ts: 1, device: "d", point: "v_sf", value: null, quality: "bad", reason: "not implemented" },
      good("w", 5),
      good("w_sf", 99),
      good("t", 1),
    ];
    applyScaleFactors(points, readings);
    expect(readings.map((r) => [r.point, r.quality, r.reason])).toEqual([
      ["v", "bad", "its scale factor 'v_sf' is bad: not implemented"],
      ["v_sf", "bad", "not implemented"],
      ["w", "bad", "its scale factor 'w_sf' is 99, not a power of ten from -10 to 10"],
      ["w_sf", "good", undefined],
      ["t", "bad", "its scale factor 't_sf' was not read"],
    ]);
    expect(readings[0]?.value).toBeNull();
  });
});
