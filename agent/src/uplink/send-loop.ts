import { createBackoff } from "@tidegate/node-kit";
import { batchMsgId, encodeBatchColumns } from "@tidegate/protocol";
import type { Logger } from "pino";
import type { ReadingBuffer } from "../buffer/buffer.js";
import type { createWaker } from "../wake.js";
import { createLanes } from "./lanes.js";

/** A range of the buffer ready to publish: encoded once, so a retry sends the same bytes under the same id. */
export interface EncodedRange {
  first: number;
  last: number;
  data: Uint8Array;
  /** The Nats-Msg-Id JetStream's duplicate window drops a repeat by. */
  msgId: string;
}

/**
 * Where the send loop publishes. The uplink's adapter is JetStream; tests hand in a fake, so the
 * loop's policy (ordered acks, retries with the same boundaries, the in-flight window, holding
 * while the collector cannot read the wire) is tested without a server.
 */
export interface SendPort {
  connected(): boolean;
  /** Why the collector cannot read what this agent sends, if it cannot: the loop holds meanwhile. */
  mismatch(): string | undefined;
  /** Resolves undefined on the PubAck, or the error. */
  publish(range: EncodedRange): Promise<Error | undefined>;
}

export interface SendLoopOptions {
  gateway: string;
  buffer: ReadingBuffer;
  batchSize: number;
  lingerMs: number;
  maxInFlight: number;
  backfillThreshold?: number;
  backfillRatePerS?: number;
  wireVersion: 1 | 2;
  /** Woken by new readings and by the link coming back. */
  waker: ReturnType<typeof createWaker>;
  log: Logger;
}

/**
 * Forwards the buffer through a SendPort: contiguous seq ranges, one Nats-Msg-Id per range, rows
 * deleted only after the PubAck. Several publishes are in flight; their acks are applied in
 * publish order. A failed range is retried with exactly the same boundaries so JetStream's
 * duplicate window can drop a repeat whose first PubAck was lost. Lanes decide what goes next.
 */
export function createSendLoop(o: SendLoopOptions) {
  const { buffer, gateway, waker, log } = o;
  const backoff = createBackoff();
  const newLanes = () =>
    createLanes({
      buffer,
      batchSize: o.batchSize,
      backfillThreshold: o.backfillThreshold,
      backfillRatePerS: o.backfillRatePerS,
    });
  let lanes = newLanes();
  const state = {
    batchesSent: 0,
    /** Since when sending is held because the collector cannot read this agent's batches. */
    heldSince: undefined as number | undefined,
    /** Why the last publish failed, until one succeeds. */
    lastError: undefined as string | undefined,
  };

  async function run(port: SendPort, running: () => boolean) {
    // Start from the buffer's watermark: after a restart of this loop, anything unacked goes again.
    lanes = newLanes();
    // Agents before epochs (wire version 1) sent none: the collector files them under epoch 0.
    const epoch = o.wireVersion === 1 ? 0 : buffer.stats().epoch;
    const nextFromLanes = (): EncodedRange | undefined => {
      const run = lanes.next();
      if (!run) return undefined;
      return {
        first: run.first,
        last: run.last,
        data: encodeBatchColumns(gateway, run, epoch, o.wireVersion),
        msgId: batchMsgId(gateway, run.first, run.last, epoch),
      };
    };
    const inflight: { range: EncodedRange; result: Promise<Error | undefined> }[] = [];
    // Failed ranges, oldest first, resent with exactly their first boundaries.
    const retries: EncodedRange[] = [];
    let failing = false;

    while (running()) {
      if (!port.connected() && inflight.length === 0) {
        await waker.sleep(500);
        continue;
      }
      const mismatch = port.mismatch();
      if (mismatch && inflight.length === 0) {
        if (state.heldSince === undefined) {
          state.heldSince = Date.now();
          log.error(mismatch);
        }
        await waker.sleep(1000);
        continue;
      }
      if (!mismatch && state.heldSince !== undefined) {
        state.heldSince = undefined;
        log.info("the collector reads this agent's batches now; sending the buffer");
      }
      // A small linger turns many tiny messages into fewer large ones; never when a batch is full.
      if (inflight.length === 0 && retries.length === 0) {
        const waiting = lanes.waiting();
        if (o.lingerMs > 0 && waiting > 0 && waiting < o.batchSize) await waker.sleep(o.lingerMs);
      }
      while (port.connected() && !failing && !mismatch && inflight.length < o.maxInFlight) {
        const range = retries.shift() ?? nextFromLanes();
        if (!range) break;
        inflight.push({ range, result: port.publish(range) });
      }
      const next = inflight.shift();
      if (!next) {
        await waker.sleep(lanes.retryInMs() || 1000);
        continue;
      }
      // Acks are taken in publish order, so the buffer is pruned oldest first.
      const err = await next.result;
      const { first, last } = next.range;
      if (!err) {
        buffer.markSent(first, last);
        state.batchesSent += 1;
        if (!failing) {
          backoff.reset();
          state.lastError = undefined;
        }
      } else {
        failing = true;
        retries.push(next.range);
        retries.sort((a, b) => a.first - b.first);
        state.lastError = describePublishError(err);
      }
      // Once the window has emptied (later ranges may well have been acked meanwhile), the
      // failed ones go again after a backoff; until then nothing new is published.
      if (failing && inflight.length === 0) {
        const delay = backoff.next();
        const oldest = retries[0];
        log.warn(
          { first: oldest?.first, last: oldest?.last, retrying: retries.length, delayMs: delay },
          state.lastError,
        );
        await waker.sleep(delay);
        failing = false;
      }
    }
  }

  return {
    /** Sends until `running()` is false; wake the waker to have it look again at once. */
    run,
    state,
    backfilling: () => lanes.backfilling(),
  };
}

export type SendLoop = ReturnType<typeof createSendLoop>;

function describePublishError(err: Error): string {
  const msg = err.message || String(err);
  if (/no responders|503/i.test(msg)) {
    return "no JetStream stream accepts tidegate.telemetry yet (is the collector running? it creates the stream); buffering";
  }
  return `publish failed: ${msg}; buffering and retrying`;
}
