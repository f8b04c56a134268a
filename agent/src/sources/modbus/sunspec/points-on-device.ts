import type { PointSpec, Profile } from "@tidegate/profiles";
import type { ModbusBus } from "../bus.js";
import { describeModbusError } from "../errors.js";
import { readBlock } from "../read-block.js";
import { type ReadHolding, SunspecChainError, walkSunspecChain } from "./chain.js";
import { resolveSunspecPoints, type UnresolvedPoint } from "./resolve.js";

export type PointsOnDevice =
  | { points: readonly PointSpec[]; unresolved: UnresolvedPoint[] }
  | { chainError: string };

/**
 * A profile's points at the addresses they have on this device: as written, or for a SunSpec
 * profile where the device's chain puts them (one walk over `bus`, behind any polling on the line).
 * Tools that read a device once (probe, identify) take this; the poller keeps its own chain.
 */
export function pointsOnDevice(
  bus: ModbusBus,
  unitId: number,
  profile: Profile,
  timeoutMs: number,
): Promise<PointsOnDevice> {
  return pointsAt(
    (start, count) =>
      bus.request(unitId, timeoutMs, (c) => readBlock(c, { table: "holding", start, count, points: [] })),
    profile,
    timeoutMs,
  );
}

/** The same through any reader of holding registers: identify's, which remembers what it read. */
export async function pointsAt(
  read: ReadHolding,
  profile: Profile,
  timeoutMs: number,
): Promise<PointsOnDevice> {
  if (!profile.sunspec) return { points: profile.points, unresolved: [] };
  try {
    const chain = await walkSunspecChain(read, profile.sunspec.bases);
    return resolveSunspecPoints(profile.points, profile.sunspec, chain);
  } catch (err) {
    return {
      chainError: err instanceof SunspecChainError ? err.message : describeModbusError(err, timeoutMs).reason,
    };
  }
}
