import type { Reading } from "@tidegate/protocol";
import { type ReadBlock, sliceWords } from "./coalesce.js";
import { DecodeError, decodePoint } from "./decode.js";

export type BlockReadResult = { words: number[] } | { error: string };

export interface ReadingContext {
  device: string;
  /** When the poll started: every point of one poll shares it, so they line up downstream. */
  ts: number;
}

/**
 * One reading per point of the block, always: a failed read or an undecodable point becomes
 * quality=bad with the reason, never a missing or made-up value.
 */
export function blockToReadings(block: ReadBlock, result: BlockReadResult, ctx: ReadingContext): Reading[] {
  if ("error" in result) {
    return block.points.map(({ point }) => bad(ctx, point.id, result.error));
  }
  return block.points.map((entry) => {
    try {
      const value = decodePoint(entry.point, sliceWords(block, result.words, entry));
      return { ts: ctx.ts, device: ctx.device, point: entry.point.id, value, quality: "good" };
    } catch (err) {
      // Only the device's data is an expected failure; anything else is a bug and should surface as one.
      if (err instanceof DecodeError) return bad(ctx, entry.point.id, err.message);
      throw err;
    }
  });
}

function bad(ctx: ReadingContext, point: string, reason: string): Reading {
  return { ts: ctx.ts, device: ctx.device, point, value: null, quality: "bad", reason };
}
