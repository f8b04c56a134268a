import { jetstream } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { batchMsgId, createBackoff, encodeBatch, type SequencedReading, subjects } from "@tidegate/protocol";
import type { Logger } from "pino";
import type { ReadingBuffer } from "../buffer/buffer.js";
import { createWaker } from "../wake.js";

export interface UplinkOptions {
  gateway: string;
  servers: string[];
  buffer: ReadingBuffer;
  batchSize?: number;
  /** Wait this long for a partly filled batch to fill before sending it. */
  lingerMs?: number;
  publishTimeoutMs?: number;
  log: Logger;
}

export interface UplinkStatus {
  connected: boolean;
  lastError?: string;
  lastAckSeq: number;
  batchesSent: number;
}

export interface Uplink {
  start(): void;
  stop(): Promise<void>;
  status(): UplinkStatus;
  /** The live connection, for the heartbeat; undefined while disconnected. */
  connection(): NatsConnection | undefined;
}

/**
 * Forwards the buffer to JetStream: contiguous seq ranges, one Nats-Msg-Id per range, rows
 * deleted only after the PubAck. A failed range is retried with exactly the same boundaries
 * so JetStream's duplicate window can drop a repeat whose first PubAck was lost.
 */
export function createUplink(opts: UplinkOptions): Uplink {
  const { gateway, buffer, log } = opts;
  const batchSize = opts.batchSize ?? 500;
  const lingerMs = opts.lingerMs ?? 100;
  const publishTimeoutMs = opts.publishTimeoutMs ?? 10_000;
  const waker = createWaker();
  const backoff = createBackoff();
  let nc: NatsConnection | undefined;
  let connected = false;
  let running = false;
  let loop: Promise<void> | undefined;
  let lastError: string | undefined;
  let batchesSent = 0;
  let retry: SequencedReading[] | undefined;
  const unsubscribe = buffer.onCommit(() => waker.wake());

  async function connectWithBackoff(): Promise<NatsConnection | undefined> {
    while (running) {
      try {
        const conn = await connect({
          servers: opts.servers,
          name: `tidegate-agent:${gateway}`,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 1000,
          reconnectJitter: 500,
        });
        watchStatus(conn);
        connected = true;
        lastError = undefined;
        backoff.reset();
        log.info({ server: conn.getServer() }, "uplink connected");
        return conn;
      } catch (err) {
        lastError = `cannot connect to ${opts.servers.join(", ")}: ${(err as Error).message}`;
        const delay = backoff.next();
        log.warn({ delayMs: delay }, lastError);
        await waker.sleep(delay);
      }
    }
    return undefined;
  }

  function watchStatus(conn: NatsConnection) {
    void (async () => {
      for await (const s of conn.status()) {
        if (s.type === "disconnect") {
          connected = false;
          lastError = "disconnected from NATS; reconnecting";
          log.warn(lastError);
        } else if (s.type === "reconnect") {
          connected = true;
          lastError = undefined;
          log.info("uplink reconnected");
          waker.wake();
        }
      }
    })();
  }

  async function nextBatch(): Promise<SequencedReading[] | undefined> {
    if (retry) return retry;
    const rows = buffer.readUnsent(buffer.stats().lastAckedSeq, batchSize);
    if (rows.length === 0) return undefined;
    const oldest = rows[0]?.ts ?? Date.now();
    // A small linger turns many tiny messages into fewer large ones; never wait on a full batch.
    if (rows.length < batchSize && Date.now() - oldest < lingerMs) {
      await waker.sleep(lingerMs);
      return buffer.readUnsent(buffer.stats().lastAckedSeq, batchSize);
    }
    return rows;
  }

  async function run() {
    nc = await connectWithBackoff();
    if (!nc) return;
    const js = jetstream(nc, { timeout: publishTimeoutMs });
    while (running) {
      const batch = connected ? await nextBatch() : undefined;
      if (!batch || batch.length === 0) {
        await waker.sleep(connected ? 1000 : 500);
        continue;
      }
      const first = batch[0] as SequencedReading;
      const last = batch[batch.length - 1] as SequencedReading;
      try {
        const ack = await js.publish(subjects.telemetry(gateway), encodeBatch(gateway, batch), {
          msgID: batchMsgId(gateway, first.seq, last.seq),
        });
        buffer.markSent(last.seq);
        retry = undefined;
        batchesSent += 1;
        backoff.reset();
        lastError = undefined;
        log.debug({ first: first.seq, last: last.seq, duplicate: ack.duplicate }, "batch acknowledged");
      } catch (err) {
        retry = batch;
        lastError = describePublishError(err as Error);
        const delay = backoff.next();
        log.warn({ first: first.seq, last: last.seq, delayMs: delay }, lastError);
        await waker.sleep(delay);
      }
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run().catch((err) => log.error({ err }, "uplink loop stopped unexpectedly"));
    },
    async stop() {
      running = false;
      waker.wake();
      unsubscribe();
      await loop;
      connected = false;
      await nc?.drain().catch(() => nc?.close());
    },
    status: () => {
      const s: UplinkStatus = { connected, lastAckSeq: buffer.stats().lastAckedSeq, batchesSent };
      if (lastError) s.lastError = lastError;
      return s;
    },
    connection: () => (connected ? nc : undefined),
  };
}

function describePublishError(err: Error): string {
  const msg = err.message || String(err);
  if (/no responders|503/i.test(msg)) {
    return "no JetStream stream accepts tidegate.telemetry yet (is the collector running? it creates the stream); buffering";
  }
  return `publish failed: ${msg}; buffering and retrying`;
}
