import { loadProfiles, modbusProfiles, type PointSpec, pointSchema } from "@tidegate/profiles";
import { readingSchema } from "@tidegate/protocol";
import { describe, expect, it } from "vitest";
import { planReads, type ReadBlock } from "./coalesce.js";
import { blockToReadings } from "./readings.js";

const ctx = { device: "meter-1", ts: 1_700_000_000_000 };

function onlyBlock(points: PointSpec[]): ReadBlock {
  const blocks = planReads(points);
  const [block] = blocks;
  if (!block || blocks.length !== 1) throw new Error(`expected one block, got ${blocks.length}`);
  return block;
}

const sdm120 = modbusProfiles(loadProfiles()).find((p) => p.id === "eastron/sdm120");
if (!sdm120) throw new Error("bundled profile eastron/sdm120 is missing");
// voltage@0, current@6, active_power@12: one 14-register read
const firstBlock = onlyBlock(
  sdm120.points.filter((p) => p.register.table === "input" && p.register.address <= 12),
);

describe("blockToReadings", () => {
  it("decodes every point of a successful read as a good reading", () => {
    const words = new Array<number>(14).fill(0);
    words.splice(0, 2, 0x4366, 0x0000); // 230 V
    words.splice(6, 2, 0x40a0, 0x0000); // 5 A
    words.splice(12, 2, 0x4489, 0x8000); // 1100 W
    const readings = blockToReadings(firstBlock, { words }, ctx);
    expect(readings).toEqual([
      { ts: ctx.ts, device: "meter-1", point: "voltage", value: 230, quality: "good" },
      { ts: ctx.ts, device: "meter-1", point: "current", value: 5, quality: "good" },
      { ts: ctx.ts, device: "meter-1", point: "active_power", value: 1100, quality: "good" },
    ]);
    for (const r of readings) expect(readingSchema.parse(r)).toEqual(r);
  });

  it("turns a failed read into a bad reading for every point, with the reason", () => {
    const readings = blockToReadings(firstBlock, { error: "timeout after 1000 ms" }, ctx);
    expect(readings).toEqual(
      ["voltage", "current", "active_power"].map((point) => ({
        ts: ctx.ts,
        device: "meter-1",
        point,
        value: null,
        quality: "bad",
        reason: "timeout after 1000 ms",
      })),
    );
    for (const r of readings) expect(readingSchema.parse(r)).toEqual(r);
  });

  it("marks only the point that does not decode as bad", () => {
    const words = new Array<number>(14).fill(0);
    words.splice(0, 2, 0x4366, 0x0000); // 230 V
    words.splice(6, 2, 0x7fc0, 0x0000); // NaN: the meter has no current reading
    words.splice(12, 2, 0x4489, 0x8000); // 1100 W
    const readings = blockToReadings(firstBlock, { words }, ctx);
    expect(readings.map((r) => [r.point, r.quality, r.value])).toEqual([
      ["voltage", "good", 230],
      ["current", "bad", null],
      ["active_power", "good", 1100],
    ]);
    expect(readings[1]?.reason).toBe("point 'current': float32 is NaN, the device reports no value");
    expect(readings[0]).not.toHaveProperty("reason");
  });

  it("reports points a short answer did not cover as bad, keeping the ones it did", () => {
    const readings = blockToReadings(firstBlock, { words: [0x4366, 0x0000, 0, 0, 0, 0, 0x40a0] }, ctx);
    expect(readings.map((r) => [r.point, r.quality, r.value])).toEqual([
      ["voltage", "good", 230],
      ["current", "bad", null],
      ["active_power", "bad", null],
    ]);
    expect(readings[1]?.reason).toMatch(/point 'current' .*expected 2 registers, got 1/);
    expect(readings[2]?.reason).toMatch(/point 'active_power' .*expected 2 registers, got 0/);
  });

  it("decodes overlapping points and bits from the same words", () => {
    const status = pointSchema.parse({
      id: "status",
      name: "S",
      register: { table: "holding", address: 3, type: "uint16" },
    });
    const alarm = pointSchema.parse({
      id: "alarm",
      name: "A",
      register: { table: "holding", address: 3, type: "bool", bit: 2 },
    });
    const temp = pointSchema.parse({
      id: "temp",
      name: "T",
      register: { table: "holding", address: 4, type: "int16" },
      scale: 0.1,
    });
    const readings = blockToReadings(onlyBlock([status, alarm, temp]), { words: [0x0004, 0xffc9] }, ctx);
    expect(readings.map((r) => [r.point, r.value])).toEqual([
      ["status", 4],
      ["alarm", true],
      ["temp", -5.5],
    ]);
  });

  it("yields coil values as booleans", () => {
    const coils = ["k1", "k2"].map((id, i) =>
      pointSchema.parse({ id, name: id, register: { table: "coil", address: i, type: "bool" } }),
    );
    const readings = blockToReadings(onlyBlock(coils), { words: [1, 0] }, ctx);
    expect(readings.map((r) => [r.point, r.quality, r.value])).toEqual([
      ["k1", "good", true],
      ["k2", "good", false],
    ]);
  });
});
