import type { BatchColumns } from "@tidegate/protocol";
import type { ReadingBuffer } from "../buffer/buffer.js";

export interface LanesOptions {
  buffer: ReadingBuffer;
  batchSize: number;
  /** A backlog longer than this (readings) switches to live-first: fresh readings go out at once. */
  backfillThreshold?: number;
  /** Readings per second the backfill lane may send; 0 = as fast as the link takes them. */
  backfillRatePerS?: number;
  now?: () => number;
}

/**
 * Chooses what the uplink sends next. Normally one lane walks the buffer in seq order. After an
 * outage the backlog is split at the seq committed when the outage was noticed: readings after
 * it go out at once (live lane), the backlog drains oldest first (backfill lane) under a rate
 * limit, and the lanes merge once the backfill catches up. The collector accepts any order.
 */
export function createLanes(o: LanesOptions) {
  const threshold = o.backfillThreshold ?? o.batchSize * 4;
  const rate = o.backfillRatePerS ?? 0;
  const now = o.now ?? Date.now;
  let liveCursor = o.buffer.stats().lastAckedSeq;
  let backfill: { cursor: number; until: number } | undefined;
  let tokens = rate;
  let refilledAt = now();

  function takeTokens(n: number): boolean {
    if (rate === 0) return true;
    const t = now();
    tokens = Math.min(rate, tokens + ((t - refilledAt) / 1000) * rate);
    refilledAt = t;
    if (tokens <= 0) return false;
    tokens -= n; // may go negative: a full batch is never split to fit the bucket
    return true;
  }

  function protect() {
    // Drop-oldest may only take rows nobody has sent yet: after the backfill front, before live ones.
    o.buffer.protect(backfill ? backfill.cursor : liveCursor, backfill ? backfill.until + 1 : undefined);
  }

  return {
    /** The next contiguous range to publish, in wire columns, or undefined when nothing may go now. */
    next(): BatchColumns | undefined {
      const lastSeq = o.buffer.lastSeq();
      if (!backfill && lastSeq - liveCursor > threshold) {
        backfill = { cursor: liveCursor, until: lastSeq };
        liveCursor = lastSeq;
        refilledAt = now();
        tokens = Math.min(rate, o.batchSize);
      }
      const live = o.buffer.readRun(liveCursor, o.batchSize);
      if (live) {
        liveCursor = live.last;
        protect();
        return live;
      }
      if (!backfill) return undefined;
      const run = o.buffer.readRun(backfill.cursor, o.batchSize, backfill.until);
      if (!run) {
        // Caught up (or the rest was dropped): one lane again.
        backfill = undefined;
        protect();
        return undefined;
      }
      if (!takeTokens(run.last - run.first + 1)) return undefined;
      backfill.cursor = run.last;
      protect();
      return run;
    },
    /** Readings committed but not yet handed to the link, for the linger decision. */
    waiting: () => o.buffer.lastSeq() - liveCursor + (backfill ? backfill.until - backfill.cursor : 0),
    backfilling: () => backfill !== undefined,
    /** When the backfill lane is rate-limited, how long until it may send again. */
    retryInMs: () => (backfill && rate > 0 && tokens <= 0 ? Math.ceil((-tokens / rate) * 1000) + 10 : 0),
  };
}
export type Lanes = ReturnType<typeof createLanes>;
