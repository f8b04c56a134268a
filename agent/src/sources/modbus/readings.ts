import { registerCount } from "@tidegate/profiles";
import type { Reading } from "@tidegate/protocol";
import type { ReadBlock } from "./coalesce.js";
import { DecodeError, decodeWords } from "./decode.js";

export type BlockReadResult = { words: number[] } | { error: string };

export interface ReadingContext {
  device: string;
  /** When the poll started: every point of one poll shares it, so they line up downstream. */
  ts: number;
}

/**
 * One reading per point of the block, always: a failed read or an undecodable point becomes
 * quality=bad with the reason, never a missing or made-up value. Appends to `into` (a poll's
 * readings) and returns it, so a poll builds one array, not one per block.
 */
export function blockToReadings(
  block: ReadBlock,
  result: BlockReadResult,
  ctx: ReadingContext,
  into: Reading[] = [],
): Reading[] {
  if ("error" in result) {
    for (const { point } of block.points) into.push(bad(ctx, point.id, result.error));
    return into;
  }
  const { words } = result;
  for (const entry of block.points) {
    // A short answer leaves a point short on purpose: decodeWords names the missing words.
    const count = Math.max(0, Math.min(registerCount(entry.point.register), words.length - entry.offset));
    try {
      const value = decodeWords(entry.point, words, entry.offset, count);
      into.push({ ts: ctx.ts, device: ctx.device, point: entry.point.id, value, quality: "good" });
    } catch (err) {
      // Only the device's data is an expected failure; anything else is a bug and should surface as one.
      if (err instanceof DecodeError) into.push(bad(ctx, entry.point.id, err.message));
      else throw err;
    }
  }
  return into;
}

function bad(ctx: ReadingContext, point: string, reason: string): Reading {
  return { ts: ctx.ts, device: ctx.device, point, value: null, quality: "bad", reason };
}
