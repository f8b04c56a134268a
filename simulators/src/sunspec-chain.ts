import type { PointSpec, Profile } from "@tidegate/profiles";

/** A run of registers the simulator serves as they are: the marker and each model's ID and L. */
export interface FixedWords {
  address: number;
  words: number[];
}

export interface SunspecLayout {
  /** The profile's points at their addresses in this simulated chain. */
  points: PointSpec[];
  fixed: FixedWords[];
}

/**
 * Lays a SunSpec profile's models out one after another from its first base, the way a device
 * publishes them: "SunS", then ID, L and the model's registers for each model, then 0xFFFF, 0.
 * A repeating model gets as many blocks as its points use. Written apart from the agent's chain
 * walk, so a wrong offset there cannot cancel out against the same mistake here.
 */
export function layOutSunspec(profile: Profile): SunspecLayout {
  const spec = profile.sunspec;
  if (!spec) return { points: [...profile.points], fixed: [] };
  const base = spec.bases[0] ?? 40000;
  const fixed: FixedWords[] = [{ address: base, words: [0x5375, 0x6e53] }];
  const starts = new Map<number, { body: number; fixedPart: number; block: number }>();
  let at = base + 2;
  for (const m of spec.models) {
    const blocks = Math.max(
      0,
      ...profile.points.filter((p) => p.register.model === m.id).map((p) => p.register.repeat ?? 0),
    );
    const length = m.length + blocks * (m.repeat ?? 0);
    fixed.push({ address: at, words: [m.id, length] });
    starts.set(m.id, { body: at + 2, fixedPart: m.length, block: m.repeat ?? 0 });
    at += 2 + length;
  }
  fixed.push({ address: at, words: [0xffff, 0] });
  const points = profile.points.map((p) => {
    const { model, offset, repeat } = p.register;
    const place = model === undefined ? undefined : starts.get(model);
    if (!place || offset === undefined) return p;
    const inBlocks = repeat === undefined ? 0 : place.fixedPart + (repeat - 1) * place.block;
    return { ...p, register: { ...p.register, address: place.body + inBlocks + offset } };
  });
  return { points, fixed };
}
