import type { IdentifySpec, PointSpec, Profile } from "@tidegate/profiles";
import type { ModbusBus } from "../../sources/modbus/bus.js";
import { planReads, sliceWords } from "../../sources/modbus/coalesce.js";
import { decodePoint } from "../../sources/modbus/decode.js";
import { describeModbusError } from "../../sources/modbus/errors.js";
import { readBlock } from "../../sources/modbus/read-block.js";
import { pointsOnDevice } from "../../sources/modbus/sunspec/points-on-device.js";
import { type DeviceFacts, type Evidence, type ProfileReading, scoreProfile, totalWeight } from "./rank.js";

export interface Candidate {
  profile: string;
  score: number;
  evidence: Evidence[];
  /** The profile's points as this device answered them, for the technician to compare with its display. */
  values: { id: string; name: string; unit?: string; value: number | boolean | string }[];
}

const SUNS = [0x5375, 0x6e53];

async function readFacts(bus: ModbusBus, unitId: number, timeoutMs: number): Promise<DeviceFacts> {
  const facts: DeviceFacts = {};
  for (const base of [40000, 50000, 0]) {
    try {
      const data = await bus.request(unitId, timeoutMs, (c) => c.readHoldingRegisters(base, 2));
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

async function readProfile(
  bus: ModbusBus,
  unitId: number,
  profile: Profile,
  timeoutMs: number,
): Promise<ProfileReading> {
  const reading: ProfileReading = { identify: [], points: [], failedBlocks: 0 };
  for (const [i, spec] of (profile.identify ?? []).entries()) {
    const point = asPoint(spec, i);
    const [block] = planReads([point]);
    try {
      const words = await bus.request(unitId, timeoutMs, (c) => readBlock(c, block as never));
      reading.identify.push({ spec, value: decodePoint(point, words) });
    } catch (err) {
      reading.identify.push({ spec, error: describeModbusError(err, timeoutMs).reason });
    }
  }
  // A SunSpec profile's points are where this device's chain puts them; without a chain none is read.
  const onDevice = await pointsOnDevice(bus, unitId, profile, timeoutMs);
  if ("chainError" in onDevice) return reading;
  if (profile.sunspec) reading.sunspecModels = modelsOnDevice(profile, onDevice.points);
  for (const block of planReads(onDevice.points)) {
    try {
      const words = await bus.request(unitId, timeoutMs, (c) => readBlock(c, block));
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
  return reading;
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
  const facts = await readFacts(bus, unitId, o.timeoutMs);
  const ranked: Candidate[] = [];
  for (const profile of profiles) {
    const reading = await readProfile(bus, unitId, profile, o.timeoutMs);
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
