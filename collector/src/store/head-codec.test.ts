import { describe, expect, it } from "vitest";
import type { ChunkInput } from "./chunk-codec.js";
import { asInput, decodeHead, encodeHead } from "./head-codec.js";

const reading = (seq: number, value: ChunkInput["value"], extra: Partial<ChunkInput> = {}): ChunkInput => ({
  seq,
  ts: 1_700_000_000_000 + seq * 1000,
  value,
  quality: "good",
  ...extra,
});

describe("head rows", () => {
  it("carry each series' readings through encode and decode, texts, reasons and qualities included", () => {
    const groups = [
      { series: 7, readings: [reading(11, 230.5), reading(12, 231)] },
      {
        series: 9,
        readings: [reading(13, "auto"), reading(14, null, { quality: "bad", reason: "timeout" })],
      },
      { series: 4_000_000_000, readings: [reading(2 ** 40, true, { quality: "uncertain" })] },
    ];
    const decoded = decodeHead(encodeHead(groups));
    expect(decoded.map((g) => g.series)).toEqual([7, 9, 4_000_000_000]);
    expect(decoded.map((g) => g.readings.map(asInput))).toEqual([
      [reading(11, 230.5), reading(12, 231)],
      [reading(13, "auto"), reading(14, null, { quality: "bad", reason: "timeout" })],
      // Booleans come back as 1/0, the way chunks keep them.
      [reading(2 ** 40, 1, { quality: "uncertain" })],
    ]);
  });

  it("refuses a damaged row or an unknown format instead of reading garbage", () => {
    const row = encodeHead([{ series: 1, readings: [reading(1, 1), reading(2, 2)] }]);
    expect(() => decodeHead(row.subarray(0, row.length - 5))).toThrow(/damaged/);
    const other = Buffer.from(row);
    other.writeUInt8(9, 0);
    expect(() => decodeHead(other)).toThrow(/format 9/);
  });
});
