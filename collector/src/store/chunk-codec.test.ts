import { describe, expect, it } from "vitest";
import {
  appendChunk,
  type ChunkInput,
  type ChunkReading,
  chunkCount,
  decodeChunk,
  encodeChunk,
  fitsChunk,
} from "./chunk-codec.js";

const readings: ChunkInput[] = [
  { seq: 100, ts: 1_700_000_000_000, value: 230.5, quality: "good" },
  { seq: 196, ts: 1_700_000_000_100, value: null, quality: "bad", reason: "timeout after 1000 ms" },
  { seq: 292, ts: 1_699_999_999_000, value: "RUN", quality: "good" },
  { seq: 388, ts: 1_700_000_000_300, value: true, quality: "uncertain" },
];
/** What a chunk gives back: numbers (booleans as 1/0, NaN for none), quality codes, texts and reasons. */
const stored: ChunkReading[] = [
  { seq: 100, ts: 1_700_000_000_000, num: 230.5, quality: 0 },
  { seq: 196, ts: 1_700_000_000_100, num: Number.NaN, quality: 1, reason: "timeout after 1000 ms" },
  { seq: 292, ts: 1_699_999_999_000, num: Number.NaN, quality: 0, text: "RUN" },
  { seq: 388, ts: 1_700_000_000_300, num: 1, quality: 2 },
];

describe("chunk codec", () => {
  it("gives back every reading as stored: order, seq, time, number, quality, text and reason", () => {
    const chunk = encodeChunk(100, readings);
    expect(chunkCount(chunk)).toBe(4);
    expect(decodeChunk(chunk, 100)).toEqual(stored);
  });

  it("appends without touching what is there, extras of both parts kept at their places", () => {
    const first = encodeChunk(100, readings.slice(0, 2));
    const grown = appendChunk(first, 100, readings.slice(2));
    expect(decodeChunk(grown, 100)).toEqual(stored);
    // Records only, no extras: 8 header bytes + 21 per reading.
    expect(encodeChunk(100, [readings[0] as ChunkInput]).length).toBe(29);
  });

  it("says which readings fit a chunk's seq numbering", () => {
    expect(fitsChunk(100, readings)).toBe(true);
    expect(fitsChunk(101, readings)).toBe(false); // seq 100 is before the chunk's first
    expect(fitsChunk(1, [{ seq: 2 ** 32 + 1, ts: 0, value: 0, quality: "good" }])).toBe(false);
  });

  it("refuses a chunk of an unknown format or a damaged length, naming what is wrong", () => {
    const chunk = encodeChunk(100, readings);
    const future = Buffer.from(chunk);
    future[0] = 9;
    expect(() => decodeChunk(future, 100)).toThrow(/chunk format 9 is not one this collector reads/);
    expect(() => decodeChunk(chunk.subarray(0, chunk.length - 3), 100)).toThrow(/damaged/);
  });
});
