import type { Quality } from "@tidegate/protocol";
import { type ChunkInput, type ChunkReading, decodeChunk, encodeChunk } from "./chunk-codec.js";

/**
 * The binary form of a head row: the new readings of one gateway epoch from one commit, as one
 * chunk per series behind a small directory, so a commit of fleet-shaped batches (one reading per
 * series each) writes one row per gateway instead of one chunk write per reading.
 *
 *   header     8 bytes: u8 format (1), 3 bytes zero, u32 number of groups (little-endian)
 *   directory  16 bytes per group: u32 series id, f64 first seq, u32 byte length of its chunk
 *   chunks     the groups' chunks (chunk-codec.ts), in directory order
 */
export const HEAD_FORMAT = 1;
const HEADER = 8;
const ENTRY = 16;

export interface HeadGroup {
  series: number;
  readings: readonly ChunkInput[];
}

export interface DecodedGroup {
  series: number;
  readings: ChunkReading[];
}

export function encodeHead(groups: readonly HeadGroup[]): Buffer {
  const chunks = groups.map((g) => {
    let firstSeq = Number.POSITIVE_INFINITY;
    for (const r of g.readings) if (r.seq < firstSeq) firstSeq = r.seq;
    return { series: g.series, firstSeq, data: encodeChunk(firstSeq, g.readings) };
  });
  const size = HEADER + ENTRY * chunks.length + chunks.reduce((n, c) => n + c.data.length, 0);
  const out = Buffer.allocUnsafe(size);
  out.writeUInt32LE(HEAD_FORMAT, 0);
  out.writeUInt32LE(chunks.length, 4);
  let entry = HEADER;
  let at = HEADER + ENTRY * chunks.length;
  for (const c of chunks) {
    out.writeUInt32LE(c.series, entry);
    out.writeDoubleLE(c.firstSeq, entry + 4);
    out.writeUInt32LE(c.data.length, entry + 12);
    out.set(c.data, at);
    entry += ENTRY;
    at += c.data.length;
  }
  return out;
}

export function decodeHead(data: Uint8Array): DecodedGroup[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const format = buf.readUInt8(0);
  if (format !== HEAD_FORMAT)
    throw new Error(`head row format ${format} is not one this collector reads (it reads ${HEAD_FORMAT})`);
  const count = buf.readUInt32LE(4);
  const out: DecodedGroup[] = [];
  let at = HEADER + ENTRY * count;
  for (let i = 0, entry = HEADER; i < count; i++, entry += ENTRY) {
    const length = buf.readUInt32LE(entry + 12);
    if (at + length > buf.length) throw new Error(`head row of ${buf.length} bytes is damaged (group ${i})`);
    out.push({
      series: buf.readUInt32LE(entry),
      readings: decodeChunk(buf.subarray(at, at + length), buf.readDoubleLE(entry + 4)),
    });
    at += length;
  }
  return out;
}

const QUALITIES: readonly Quality[] = ["good", "bad", "uncertain"];

/** A stored reading as ingest takes it again (booleans come back as 1/0, as chunks keep them). */
export function asInput(r: ChunkReading): ChunkInput {
  const value = r.text ?? (Number.isNaN(r.num) ? null : r.num);
  const input: ChunkInput = { seq: r.seq, ts: r.ts, value, quality: QUALITIES[r.quality] ?? "bad" };
  if (r.reason !== undefined) input.reason = r.reason;
  return input;
}
