/**
 * The binary form of a chunk: the readings of one series (one gateway epoch), as fixed-size
 * records so a chunk grows by appending bytes. Storing a batch as one row per series instead of
 * one row per reading is what lets the collector keep up with its gateways: SQLite's cost is per
 * row and per index entry, not per byte.
 *
 *   header   8 bytes: u8 format (1), 3 bytes zero, u32 length of the extras (little-endian)
 *   records  21 bytes each: f64 ts (ms), f64 number (NaN: none), u32 seq − chunk's first seq, u8 quality
 *   extras   UTF-8 JSON { "t"?: { index: text }, "r"?: { index: reason } }, only when present
 */

export const CHUNK_FORMAT = 1;
const HEADER = 8;
const RECORD = 21;
const MAX_SEQ_OFFSET = 0xffff_ffff;

import type { Quality, ReadingValue } from "@tidegate/protocol";

/** Quality codes as stored. */
export const QUALITY = { good: 0, bad: 1, uncertain: 2 } as const;

/**
 * A reading as it goes into a chunk: a SequencedReading fits, so ingest encodes what it decoded
 * without building anything in between. Booleans are stored as 1/0 so they chart.
 */
export interface ChunkInput {
  seq: number;
  ts: number;
  value: ReadingValue | null;
  quality: Quality;
  reason?: string;
}

/** One stored reading as a chunk holds it; `num` is NaN for a reading without a number. */
export interface ChunkReading {
  seq: number;
  ts: number;
  num: number;
  quality: number;
  text?: string;
  reason?: string;
}

interface Extras {
  t?: Record<string, string>;
  r?: Record<string, string>;
}

/** Whether `readings` fit in one chunk whose seqs count from `firstSeq`. */
export function fitsChunk(firstSeq: number, readings: readonly ChunkInput[]): boolean {
  return readings.every((r) => r.seq >= firstSeq && r.seq - firstSeq <= MAX_SEQ_OFFSET);
}

function extrasOf(readings: readonly ChunkInput[], offset: number, into: Extras): void {
  const texts = into.t ?? {};
  const reasons = into.r ?? {};
  readings.forEach((r, i) => {
    if (typeof r.value === "string") texts[offset + i] = r.value;
    if (r.reason) reasons[offset + i] = r.reason;
  });
  if (Object.keys(texts).length > 0) into.t = texts;
  if (Object.keys(reasons).length > 0) into.r = reasons;
}

function build(records: readonly Uint8Array[], recordCount: number, extras: Extras): Buffer {
  const json = extras.t || extras.r ? Buffer.from(JSON.stringify(extras)) : undefined;
  const out = Buffer.allocUnsafe(HEADER + recordCount * RECORD + (json?.length ?? 0));
  out.writeUInt32LE(CHUNK_FORMAT, 0);
  out.writeUInt32LE(json?.length ?? 0, 4);
  let at = HEADER;
  for (const part of records) {
    out.set(part, at);
    at += part.length;
  }
  if (json) out.set(json, at);
  return out;
}

/** The number a reading charts as: its number, 1/0 for a boolean, NaN for none. */
export function numberOf(value: ReadingValue | null): number {
  return typeof value === "number" ? value : typeof value === "boolean" ? Number(value) : Number.NaN;
}

function records(firstSeq: number, readings: readonly ChunkInput[]): Buffer {
  const out = Buffer.allocUnsafe(readings.length * RECORD);
  let at = 0;
  for (const r of readings) {
    out.writeDoubleLE(r.ts, at);
    out.writeDoubleLE(numberOf(r.value), at + 8);
    out.writeUInt32LE(r.seq - firstSeq, at + 16);
    out.writeUInt8(QUALITY[r.quality], at + 20);
    at += RECORD;
  }
  return out;
}

/** Encodes readings (any order) as a new chunk; every seq must be ≥ `firstSeq` (see fitsChunk). */
export function encodeChunk(firstSeq: number, readings: readonly ChunkInput[]): Buffer {
  const extras: Extras = {};
  extrasOf(readings, 0, extras);
  return build([records(firstSeq, readings)], readings.length, extras);
}

function parts(chunk: Uint8Array, withExtras = true): { count: number; body: Buffer; extras: Extras } {
  const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  const format = buf.readUInt8(0);
  if (format !== CHUNK_FORMAT)
    throw new Error(`chunk format ${format} is not one this collector reads (it reads ${CHUNK_FORMAT})`);
  const extrasLength = buf.readUInt32LE(4);
  const count = (buf.length - HEADER - extrasLength) / RECORD;
  if (!Number.isInteger(count) || count < 0)
    throw new Error(`chunk of ${buf.length} bytes with ${extrasLength} bytes of extras is damaged`);
  const body = buf.subarray(HEADER, HEADER + count * RECORD);
  const extras =
    withExtras && extrasLength > 0
      ? (JSON.parse(buf.subarray(HEADER + count * RECORD).toString()) as Extras)
      : {};
  return { count, body, extras };
}

/** Appends readings to a chunk whose seqs count from `firstSeq`, without decoding its records. */
export function appendChunk(chunk: Uint8Array, firstSeq: number, readings: readonly ChunkInput[]): Buffer {
  const { count, body, extras } = parts(chunk);
  extrasOf(readings, count, extras);
  return build([body, records(firstSeq, readings)], count + readings.length, extras);
}

/** How many readings a chunk holds. */
export function chunkCount(chunk: Uint8Array): number {
  return parts(chunk, false).count;
}

/** Visits every reading's time, number and quality without building objects (chart queries). */
export function scanChunk(
  chunk: Uint8Array,
  visit: (ts: number, num: number, quality: number) => void,
): void {
  const { count, body } = parts(chunk, false);
  for (let at = 0; at < count * RECORD; at += RECORD)
    visit(body.readDoubleLE(at), body.readDoubleLE(at + 8), body.readUInt8(at + 20));
}

/** Every reading of a chunk, in the order they were stored. */
export function decodeChunk(chunk: Uint8Array, firstSeq: number): ChunkReading[] {
  const { count, body, extras } = parts(chunk);
  const out: ChunkReading[] = new Array(count);
  for (let i = 0, at = 0; i < count; i++, at += RECORD) {
    const r: ChunkReading = {
      seq: firstSeq + body.readUInt32LE(at + 16),
      ts: body.readDoubleLE(at),
      num: body.readDoubleLE(at + 8),
      quality: body.readUInt8(at + 20),
    };
    const text = extras.t?.[i];
    if (text !== undefined) r.text = text;
    const reason = extras.r?.[i];
    if (reason !== undefined) r.reason = reason;
    out[i] = r;
  }
  return out;
}
