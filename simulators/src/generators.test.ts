import { type PointSpec, pointSchema } from "@tidegate/profiles";
import { describe, expect, it } from "vitest";
import { createGenerator, defaultSimulation, seededRandom } from "./generators.js";

function point(fields: Record<string, unknown>): PointSpec {
  return pointSchema.parse({
    id: "p",
    name: "Point P",
    register: { table: "holding", address: 0, type: "float32" },
    ...fields,
  });
}

function run(p: PointSpec, n: number, seed = 7): number[] {
  const g = createGenerator(p, { seed });
  return Array.from({ length: n }, (_, i) => g.next(i) as number);
}

describe("seeded randomness", () => {
  it("repeats for the same seed and differs for another", () => {
    const p = point({ simulate: { kind: "walk", start: 5, step: 1, min: 0, max: 10 } });
    expect(run(p, 50, 1)).toEqual(run(p, 50, 1));
    expect(run(p, 50, 1)).not.toEqual(run(p, 50, 2));
  });
  it("gives each point its own stream from one seed", () => {
    const sim = { kind: "walk", start: 5, step: 1, min: 0, max: 10 };
    expect(run(point({ id: "a", simulate: sim }), 20)).not.toEqual(
      run(point({ id: "b", simulate: sim }), 20),
    );
  });
  it("stays in [0, 1)", () => {
    const r = seededRandom(123);
    const xs = Array.from({ length: 10_000 }, r);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((a, b) => a + b, 0) / xs.length).toBeCloseTo(0.5, 1);
  });
});

describe("simulation kinds", () => {
  it("sine swings between min and max (plus noise) with the given period", () => {
    const p = point({ simulate: { kind: "sine", min: 226, max: 234, periodS: 60, noise: 0.3 } });
    const xs = run(p, 600);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(226 - 0.3);
    expect(Math.max(...xs)).toBeLessThanOrEqual(234 + 0.3);
    expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThan(7.5);
    const quiet = createGenerator(point({ simulate: { kind: "sine", min: 0, max: 2, periodS: 60 } }));
    expect(quiet.next(0)).toBeCloseTo(1, 12);
    expect(quiet.next(15)).toBeCloseTo(2, 12);
    expect(quiet.next(60)).toBeCloseTo(1, 12);
  });
  it("step holds each value for everyS seconds, then starts over", () => {
    const g = createGenerator(point({ simulate: { kind: "step", values: [20, 22.5, 25], everyS: 10 } }));
    expect([0, 9.9, 10, 25, 30, 41].map((t) => g.next(t))).toEqual([20, 20, 22.5, 25, 20, 22.5]);
  });

  it("walk moves at most one step per call and never leaves min..max", () => {
    const xs = run(point({ simulate: { kind: "walk", start: 0.95, step: 0.05, min: 0.8, max: 1 } }), 5000);
    xs.forEach((x, i) => {
      expect(x).toBeGreaterThanOrEqual(0.8);
      expect(x).toBeLessThanOrEqual(1);
      if (i > 0) expect(Math.abs(x - (xs[i - 1] as number))).toBeLessThanOrEqual(0.05 + 1e-12);
    });
    expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThan(0.1);
  });
  it("counter grows with time, not with calls", () => {
    const g = createGenerator(point({ simulate: { kind: "counter", start: 1520.5, ratePerS: 0.01 } }));
    expect(g.next(0)).toBe(1520.5);
    expect(g.next(100)).toBeCloseTo(1521.5, 12);
    expect(g.next(100)).toBeCloseTo(1521.5, 12);
  });
  it("constant returns its value, of any type", () => {
    expect(createGenerator(point({ simulate: { kind: "constant", value: 1 } })).next(5)).toBe(1);
    const s = point({ register: { table: "holding", address: 0, type: "string", length: 4 } });
    expect(createGenerator({ ...s, simulate: { kind: "constant", value: "SN-1" } }).next(5)).toBe("SN-1");
  });
  it("clamps to the point's own min/max", () => {
    const p = point({
      min: 0,
      max: 100,
      simulate: { kind: "sine", min: 90, max: 110, periodS: 10, noise: 0 },
    });
    expect(Math.max(...run(p, 100))).toBe(100);
  });
});

describe("defaults for a point without simulate", () => {
  it("swings across min..max", () => {
    expect(defaultSimulation(point({ min: 1, max: 247 }))).toMatchObject({ kind: "sine", min: 1, max: 247 });
    const xs = run(point({ min: 1, max: 247 }), 60);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...xs)).toBeLessThanOrEqual(247);
  });
  it("fits the span into what the type can hold", () => {
    const p = point({ register: { table: "input", address: 0, type: "uint16" }, scale: 0.001 });
    expect(defaultSimulation(p)).toMatchObject({ min: 0, max: 65.535 });
    expect(defaultSimulation(point({ max: 20 }))).toMatchObject({ min: -80, max: 20 });
  });
  it("toggles a bool and names a string", () => {
    const b = point({ register: { table: "coil", address: 0, type: "bool" } });
    const g = createGenerator(b);
    expect([g.next(0), g.next(20), g.next(40)]).toEqual([true, true, false]);
    const s = point({ register: { table: "holding", address: 0, type: "string", length: 8 } });
    expect(createGenerator(s).next(0)).toBe("Point P");
  });
});
