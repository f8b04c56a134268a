import { type OpcuaPoint, opcuaReadingValue } from "@tidegate/profiles";
import type { Reading } from "@tidegate/protocol";

/** What the source needs of an OPC UA DataValue: kept structural so this stays pure and testable. */
export interface DataValueLike {
  value: unknown;
  /** The StatusCode's name (Good, BadSensorFailure, UncertainLastUsableValue, …). */
  statusName: string;
  sourceTimestamp?: Date | null;
  serverTimestamp?: Date | null;
}

/**
 * One DataValue as a reading of `point`. A bad or uncertain status gives no value, the status name
 * as the reason: an uncertain value may be stale or substituted, and storing it as a value would
 * let a chart show it as measured. The reading's time is the source timestamp (the PLC's), else the
 * server's, else now.
 */
export function toReading(device: string, point: OpcuaPoint, dv: DataValueLike, now = Date.now()): Reading {
  const ts = dv.sourceTimestamp?.getTime() || dv.serverTimestamp?.getTime() || now;
  const base = { ts, device, point: point.id };
  if (dv.statusName.startsWith("Bad")) return { ...base, value: null, quality: "bad", reason: dv.statusName };
  if (dv.statusName.startsWith("Uncertain"))
    return { ...base, value: null, quality: "uncertain", reason: dv.statusName };
  const decoded = opcuaReadingValue(point, dv.value);
  if ("error" in decoded) return { ...base, value: null, quality: "bad", reason: decoded.error };
  return { ...base, value: decoded.value, quality: "good" };
}

/**
 * Drops a reading equal to the last one of its point (same time, value and quality): after a
 * reconnect a new subscription first sends every item's current value, which the agent already
 * has when nothing changed meanwhile. Kept across reconnects, for the life of the source.
 */
export function createDedup() {
  const last = new Map<string, string>();
  let dropped = 0;
  return {
    fresh(r: Reading): boolean {
      const key = `${r.ts}|${r.quality}|${JSON.stringify(r.value)}|${r.reason ?? ""}`;
      if (last.get(r.point) === key) {
        dropped += 1;
        return false;
      }
      last.set(r.point, key);
      return true;
    },
    dropped: () => dropped,
  };
}
