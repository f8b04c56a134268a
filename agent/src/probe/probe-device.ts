import { type PointSpec, type Profile, registerCount, type WordOrder, wordOrders } from "@tidegate/profiles";
import type { ModbusBus } from "../sources/modbus/bus.js";
import { deviceReadLimits, planReads, sliceWords } from "../sources/modbus/coalesce.js";
import { decodePoint } from "../sources/modbus/decode.js";
import { describeModbusError } from "../sources/modbus/errors.js";
import { readBlock } from "../sources/modbus/read-block.js";
import { pointsOnDevice } from "../sources/modbus/sunspec/points-on-device.js";

/**
 * The decode assistant's reading and decoding, shared by `tidegate-agent probe` and the technician
 * page: read every point of a profile once and decode multi-register values in every byte/word order.
 */

export interface ProbeOrder {
  order: WordOrder;
  value: string;
  /** The profile's own order. */
  current: boolean;
  /** The `register:` line to copy into the profile for this order. */
  line: string;
}

export interface ProbedPoint {
  id: string;
  name: string;
  unit?: string;
  /** Decoded with the profile's order, as the poller would. */
  value: string;
  /** The raw words (or bits) as hex. */
  words: string;
  /** Present for values of two or more registers. */
  orders?: ProbeOrder[];
}

export interface ProbeResult {
  points: ProbedPoint[];
  /**
   * Blocks that could not be read, in words, with the points they hold; `absent` marks SunSpec
   * points the device's chain does not hold (a model it does not publish, or publishes shorter),
   * which no read could fix: a meter publishes one of the four meter models.
   */
  failures: { block: string; reason: string; points: string[]; absent?: true }[];
}

function hex(words: readonly number[]): string {
  return words.map((w) => w.toString(16).padStart(4, "0")).join(" ");
}

function show(value: unknown): string {
  return typeof value === "number" && !Number.isInteger(value)
    ? String(Number(value.toPrecision(7)))
    : String(value);
}

export function profileLine(point: PointSpec, order: WordOrder): string {
  const r = point.register;
  const extra = [
    r.bit !== undefined ? `bit: ${r.bit}` : "",
    r.length !== undefined ? `length: ${r.length}` : "",
  ]
    .filter(Boolean)
    .join(", ");
  return `register: { table: ${r.table}, address: ${r.address}, type: ${r.type}, order: ${order}${extra ? `, ${extra}` : ""} }`;
}

/** One point's value from its words, and for multi-register values every order with its profile line. */
export function decodeAssist(point: PointSpec, words: readonly number[]): ProbedPoint {
  const out: ProbedPoint = {
    id: point.id,
    name: point.name,
    ...(point.unit ? { unit: point.unit } : {}),
    value: show(decodePoint(point, words)),
    words: hex(words),
  };
  if (registerCount(point.register) > 1 && point.register.type !== "string")
    out.orders = wordOrders.map((order) => ({
      order,
      value: show(decodePoint({ ...point, register: { ...point.register, order } }, words)),
      current: order === point.register.order,
      line: profileLine(point, order),
    }));
  return out;
}

/**
 * Reads the profile's points once over `bus` (whose queue serializes this with any polling on the
 * same line). A block that fails is reported in words; the others are still read.
 */
export async function probeDevice(
  bus: ModbusBus,
  profile: Profile,
  unitId: number,
  timeoutMs: number,
): Promise<ProbeResult> {
  const result: ProbeResult = { points: [], failures: [] };
  // SunSpec points are where this device's chain puts them (scale factors are shown as read, not applied).
  const onDevice = await pointsOnDevice(bus, unitId, profile, timeoutMs);
  if ("chainError" in onDevice) {
    result.failures.push({
      block: "SunSpec chain",
      reason: onDevice.chainError,
      points: profile.points.map((p) => p.id),
    });
    return result;
  }
  const { points } = onDevice;
  // One line per model and reason, not one per point: a meter profile lists 72 points per model.
  const byModel = new Map<string, ProbeResult["failures"][number]>();
  for (const u of onDevice.unresolved) {
    const block = `SunSpec model ${u.point.register.model}`;
    const key = `${block}\n${u.reason}`;
    const entry = byModel.get(key) ?? { block, reason: u.reason, points: [], absent: true };
    entry.points.push(u.point.id);
    byModel.set(key, entry);
  }
  result.failures.push(...byModel.values());
  for (const block of planReads(points, deviceReadLimits(profile))) {
    try {
      const words = await bus.request(unitId, timeoutMs, (c) => readBlock(c, block));
      for (const entry of block.points)
        result.points.push(decodeAssist(entry.point, sliceWords(block, words, entry)));
    } catch (err) {
      result.failures.push({
        block: `${block.table} ${block.start}+${block.count}`,
        reason: describeModbusError(err, timeoutMs).reason,
        points: block.points.map((e) => e.point.id),
      });
    }
  }
  return result;
}
