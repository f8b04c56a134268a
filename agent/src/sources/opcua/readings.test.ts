import type { OpcuaPoint } from "@tidegate/profiles";
import { describe, expect, it } from "vitest";
import { createDedup, toReading } from "./readings.js";

const point = (over: Partial<OpcuaPoint> = {}): OpcuaPoint => ({
  id: "speed",
  name: "Speed",
  scale: 1,
  offset: 0,
  type: "number",
  nodeId: "s=Speed",
  ...over,
});
const at = new Date(1_700_000_000_123);

describe("OPC UA DataValues as readings", () => {
  it("keeps the source timestamp and scales the value", () => {
    expect(
      toReading("plc", point({ scale: 0.1 }), { value: 125, statusName: "Good", sourceTimestamp: at }),
    ).toEqual({ ts: at.getTime(), device: "plc", point: "speed", value: 12.5, quality: "good" });
  });
  it("falls back to the server timestamp, then to now", () => {
    expect(toReading("plc", point(), { value: 1, statusName: "Good", serverTimestamp: at }).ts).toBe(
      at.getTime(),
    );
    expect(toReading("plc", point(), { value: 1, statusName: "Good", sourceTimestamp: null }, 42).ts).toBe(
      42,
    );
  });
  it("turns a bad or uncertain status into that quality with the code's name, never a value", () => {
    expect(
      toReading("plc", point(), { value: 99, statusName: "BadSensorFailure", sourceTimestamp: at }),
    ).toMatchObject({
      value: null,
      quality: "bad",
      reason: "BadSensorFailure",
    });
    expect(
      toReading("plc", point(), { value: 99, statusName: "UncertainLastUsableValue", sourceTimestamp: at }),
    ).toMatchObject({ value: null, quality: "uncertain", reason: "UncertainLastUsableValue" });
  });
  it("a value of the wrong type is a bad reading saying so", () => {
    expect(toReading("plc", point(), { value: "x", statusName: "Good", sourceTimestamp: at })).toMatchObject({
      quality: "bad",
      reason: "not-a-number",
    });
  });
});

describe("duplicate readings after a reconnect", () => {
  it("drops a repeat of a point's last reading, keeps changes and other points", () => {
    const d = createDedup();
    const r = { ts: 1, device: "plc", point: "a", value: 5, quality: "good" as const };
    expect([d.fresh(r), d.fresh({ ...r }), d.fresh({ ...r, point: "b" }), d.fresh({ ...r, ts: 2 })]).toEqual([
      true,
      false,
      true,
      true,
    ]);
    expect(d.fresh({ ...r, ts: 2, value: 6 })).toBe(true);
    expect(d.dropped()).toBe(1);
  });
});
