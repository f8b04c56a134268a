import { type PointSpec, type RegisterType, registerCount, type SunspecSpec } from "@tidegate/profiles";
import type { SunspecChain } from "./chain.js";

/** A profile point the device's chain does not hold, and why. */
export interface UnresolvedPoint {
  point: PointSpec;
  reason: string;
}

export interface ResolvedPoints {
  /** Points with their addresses on this device; points that are not SunSpec points pass as they are. */
  points: PointSpec[];
  unresolved: UnresolvedPoint[];
}

/**
 * SunSpec's "not implemented" value per register type (SunSpec Modbus specification, point
 * types): int16/sunssf 0x8000, uint16/enum16/bitfield16 0xFFFF, and the 32-bit equivalents.
 * Accumulators (acc32: 0) share uint32 here, so a profile marks them with `notImplemented: 0`.
 */
const NOT_IMPLEMENTED: Partial<Record<RegisterType, number>> = {
  int16: -0x8000,
  uint16: 0xffff,
  int32: -0x80000000,
  uint32: 0xffffffff,
  int64: Number(-(2n ** 63n)),
};

/**
 * Gives each SunSpec point the address it has on this device: its model's first instance in the
 * chain, plus 2 (ID and L), plus its offset (and, in a repeating block, the fixed part and the
 * blocks before it). A point past the end of the device's model, or of a model the device does not
 * publish, is unresolved. Points get SunSpec's "not implemented" value unless the profile gives one.
 */
export function resolveSunspecPoints(
  points: readonly PointSpec[],
  spec: SunspecSpec,
  chain: SunspecChain,
): ResolvedPoints {
  const defined = new Map(spec.models.map((m) => [m.id, m]));
  const out: ResolvedPoints = { points: [], unresolved: [] };
  for (const point of points) {
    const { model, offset, repeat } = point.register;
    if (model === undefined || offset === undefined) {
      out.points.push(point);
      continue;
    }
    const onDevice = chain.models.find((m) => m.id === model);
    if (!onDevice) {
      out.unresolved.push({ point, reason: `the device publishes no SunSpec model ${model}` });
      continue;
    }
    const def = defined.get(model);
    const before = repeat === undefined ? 0 : (def?.length ?? 0) + (repeat - 1) * (def?.repeat ?? 0);
    const first = before + offset;
    const end = first + registerCount(point.register);
    if (end > onDevice.length) {
      const where = repeat === undefined ? "" : ` (block ${repeat})`;
      out.unresolved.push({
        point,
        reason: `model ${model} on the device has ${onDevice.length} registers; this point${where} needs ${end}`,
      });
      continue;
    }
    out.points.push({
      ...point,
      register: { ...point.register, address: onDevice.start + 2 + first },
      notImplemented: point.notImplemented ?? NOT_IMPLEMENTED[point.register.type],
    });
  }
  return out;
}
