import type { PointSpec, Simulation } from "@tidegate/profiles";
import { isIntType } from "./encode/encode.js";
import { intRange, type PointValue } from "./encode/index.js";

/** Uniform in [0, 1), like Math.random. */
export type Random = () => number;

/** A value source for one point; `tS` is seconds since the simulator started. */
export interface ValueGenerator {
  next(tS: number): PointValue;
}

export interface GeneratorOptions {
  /** Makes walk and noise reproducible. Each point derives its own stream from the seed and its id,
   * so adding a point to a profile does not change the values of the others. */
  seed?: number;
  /** Overrides `seed` entirely (tests). */
  random?: Random;
}

/** mulberry32: tiny, fast, good enough for simulated noise, and reproducible across platforms. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The engineering-unit range an integer point's registers can represent (floats: unbounded). */
function representable(point: PointSpec): [number, number] {
  const type = point.register.type;
  if (!isIntType(type)) return [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
  const [lo, hi] = intRange(type).map((r) => Number(r) * point.scale + point.offset) as [number, number];
  return lo <= hi ? [lo, hi] : [hi, lo];
}

/**
 * What a point without a `simulate` block does: strings show the point's name, bools toggle every
 * 30 s, numbers swing slowly across min..max (or a 100-unit span the type can hold), so a dashboard
 * shows movement without anyone writing a simulation for every register.
 */
export function defaultSimulation(point: PointSpec): Simulation {
  if (point.register.type === "string") return { kind: "constant", value: point.name };
  if (point.register.type === "bool") return { kind: "sine", min: 0, max: 1, periodS: 60, noise: 0 };
  const [rlo, rhi] = representable(point);
  let lo = point.min;
  let hi = point.max;
  if (lo === undefined && hi === undefined) {
    lo = Math.max(rlo, 0);
    hi = Math.min(rhi, lo + 100);
  } else if (lo === undefined) lo = Math.max(rlo, (hi as number) - 100);
  else if (hi === undefined) hi = Math.min(rhi, lo + 100);
  return { kind: "sine", min: lo, max: hi as number, periodS: 60, noise: 0 };
}

function numeric(sim: Exclude<Simulation, { kind: "constant" }>, random: Random): (tS: number) => number {
  switch (sim.kind) {
    case "sine": {
      const mid = (sim.min + sim.max) / 2;
      const amp = (sim.max - sim.min) / 2;
      return (tS) => mid + amp * Math.sin((2 * Math.PI * tS) / sim.periodS) + sim.noise * (2 * random() - 1);
    }
    case "walk": {
      let value = Math.min(sim.max, Math.max(sim.min, sim.start));
      return () => {
        value += sim.step * (2 * random() - 1);
        // Reflect off the bounds so a walk does not stick to a limit for long stretches.
        if (value > sim.max) value = Math.max(sim.min, 2 * sim.max - value);
        if (value < sim.min) value = Math.min(sim.max, 2 * sim.min - value);
        return value;
      };
    }
    case "counter":
      return (tS) => sim.start + sim.ratePerS * tS;
    case "step":
      return (tS) => sim.values[Math.floor(tS / sim.everyS) % sim.values.length] as number;
  }
}

/** A generator for the point's `simulate` block, or for `defaultSimulation(point)` when it has none. */
export function createGenerator(point: PointSpec, options: GeneratorOptions = {}): ValueGenerator {
  const sim = point.simulate ?? defaultSimulation(point);
  if (sim.kind === "constant") return { next: () => sim.value };
  const random =
    options.random ?? seededRandom((options.seed ?? Math.floor(Math.random() * 2 ** 32)) ^ hash(point.id));
  const gen = numeric(sim, random);
  const type = point.register.type;
  const lo = point.min ?? Number.NEGATIVE_INFINITY;
  const hi = point.max ?? Number.POSITIVE_INFINITY;
  return {
    next(tS) {
      const x = Math.min(hi, Math.max(lo, gen(tS)));
      // A bool reads a number as true from 0.5 up, so a 0..1 sine toggles it.
      if (type === "bool") return x >= 0.5;
      if (type === "string") return String(x);
      return x;
    },
  };
}
