import type { IdentifySpec, PointSpec, Profile } from "@tidegate/profiles";
import type { ModbusBus } from "../../sources/modbus/bus.js";
import {
  deviceReadLimits,
  type PlanReadsOptions,
  planReads,
  type ReadBlock,
  sliceWords,
} from "../../sources/modbus/coalesce.js";
import { decodePoint } from "../../sources/modbus/decode.js";
import { describeModbusError } from "../../sources/modbus/errors.js";
import type { ReadHolding } from "../../sources/modbus/sunspec/chain.js";
import { pointsAt } from "../../sources/modbus/sunspec/points-on-device.js";
import { type DeviceReads, deviceReads } from "./device-reads.js";
import { type DeviceFacts, type Evidence, type ProfileReading, scoreProfile, totalWeight } from "./rank.js";

export interface Candidate {
  profile: string;
  score: number;
  evidence: Evidence[];
  /** The profile's points as this device answered them, for the technician to compare with its display. */
  values: { id: string; name: string; unit?: string; value: number | boolean | string }[];
}

const SUNS = [0x5375, 0x6e53];

async function readFacts(
  bus: ModbusBus,
  reads: DeviceReads,
  unitId: number,
  timeoutMs: number,
): Promise<DeviceFacts> {
  const facts: DeviceFacts = {};
  for (const base of [40000, 50000, 0]) {
    try {
      const data = await reads.read({ table: "holding", start: base, count: 2 });
      if (data[0] === SUNS[0] && data[1] === SUNS[1]) {
        facts.sunspecBase = base;
        break;
      }
    } catch {
      // no register there: not where this device keeps a SunSpec map
    }
  }
  try {
    const objects = await bus.request(unitId, timeoutMs, (c) => c.readDeviceIdentification(1, 0));
    facts.deviceId = {
      ...(objects[0] ? { vendor: String(objects[0]) } : {}),
      ...(objects[1] ? { product: String(objects[1]) } : {}),
      ...(objects[2] ? { revision: String(objects[2]) } : {}),
    };
  } catch {
    // FC 43/14 is optional in Modbus; most meters answer it with exception 1
  }
  return facts;
}

const asPoint = (spec: IdentifySpec, i: number): PointSpec =>
  ({
    id: `identify-${i}`,
    name: spec.name ?? "identify",
    register: spec.register,
    scale: 1,
    offset: 0,
    access: "read",
  }) as PointSpec;

/** The profile's models past the common one that the chain has (a point of it found) and lacks. */
function modelsOnDevice(profile: Profile, resolved: readonly PointSpec[]) {
  const on = new Set(resolved.map((p) => p.register.model));
  const ids = (profile.sunspec?.models ?? []).map((m) => m.id).filter((id) => id !== 1);
  return { found: ids.filter((id) => on.has(id)), missing: ids.filter((id) => !on.has(id)) };
}

async function readIdentify(reads: DeviceReads, profile: Profile, timeoutMs: number) {
  const out: ProfileReading["identify"] = [];
  for (const [i, spec] of (profile.identify ?? []).entries()) {
    const point = asPoint(spec, i);
    const [block] = planReads([point]);
    try {
      out.push({ spec, value: decodePoint(point, await reads.read(block as ReadBlock)) });
    } catch (err) {
      out.push({ spec, error: describeModbusError(err, timeoutMs).reason });
    }
  }
  return out;
}

/** The profile's points decoded from its own blocks, as its poller would read them. */
async function readPoints(
  reads: DeviceReads,
  points: readonly PointSpec[],
  reading: ProfileReading,
  limits: PlanReadsOptions,
) {
  for (const block of planReads(points, limits)) {
    try {
      const words = await reads.read(block);
      for (const entry of block.points) {
        try {
          reading.points.push({
            point: entry.point,
            value: decodePoint(entry.point, sliceWords(block, words, entry)),
          });
        } catch {
          reading.points.push({ point: entry.point, value: Number.NaN });
        }
      }
    } catch {
      reading.failedBlocks++;
    }
  }
}

/**
 * Reads a found device against every Modbus profile and ranks them by evidence, best first. Goes
 * through `bus`, so on a shared line it waits its turn behind the polls.
 */
export async function identifyDevice(
  bus: ModbusBus,
  unitId: number,
  profiles: readonly Profile[],
  o: { timeoutMs: number; keep?: number },
): Promise<Candidate[]> {
  const reads = deviceReads(bus, unitId, o.timeoutMs);
  const facts = await readFacts(bus, reads, unitId, o.timeoutMs);
  const holding: ReadHolding = (start, count) => reads.read({ table: "holding", start, count });
  // Strong evidence first: identify registers (read together), then where each profile's points
  // are (a SunSpec chain is walked once, later walks answered from memory).
  await reads.prefetch(profiles.flatMap((p) => (p.identify ?? []).map(asPoint)));
  const readings: { profile: Profile; reading: ProfileReading; points: readonly PointSpec[] }[] = [];
  for (const profile of profiles) {
    const reading: ProfileReading = {
      identify: await readIdentify(reads, profile, o.timeoutMs),
      points: [],
      failedBlocks: 0,
    };
    // A SunSpec profile's points are where this device's chain puts them; without a chain none is read.
    // A profile whose identification registers disagree is out of the running: its values are not read.
    const said = scoreProfile(profile, {}, reading).filter((e) => e.kind === "identify");
    if (totalWeight(said) < 0) {
      readings.push({ profile, reading, points: [] });
      continue;
    }
    const onDevice = await pointsAt(holding, profile, o.timeoutMs);
    const points = "chainError" in onDevice ? [] : onDevice.points;
    if (profile.sunspec && !("chainError" in onDevice))
      reading.sunspecModels = modelsOnDevice(profile, points);
    readings.push({ profile, reading, points });
  }
  // Every candidate's registers at once, coalesced across profiles: many read the same addresses.
  await reads.prefetch(readings.flatMap((r) => r.points));
  const ranked: Candidate[] = [];
  for (const { profile, reading, points } of readings) {
    await readPoints(reads, points, reading, deviceReadLimits(profile));
    const evidence = scoreProfile(profile, facts, reading);
    ranked.push({
      profile: profile.id,
      score: totalWeight(evidence),
      evidence,
      values: reading.points.flatMap(({ point, value }) =>
        value === undefined
          ? []
          : [{ id: point.id, name: point.name, ...(point.unit ? { unit: point.unit } : {}), value }],
      ),
    });
  }
  return ranked.sort((a, b) => b.score - a.score || a.profile.localeCompare(b.profile)).slice(0, o.keep ?? 5);
}
