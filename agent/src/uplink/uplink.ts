import { jetstream } from "@nats-io/jetstream";
import { type ConnectionOptions, connect, type NatsConnection } from "@nats-io/transport-node";
import {
  BATCH_VERSION,
  batchMsgId,
  createBackoff,
  createReconnectPolicy,
  encodeBatchColumns,
  subjects,
} from "@tidegate/protocol";
import type { Logger } from "pino";
import type { ReadingBuffer } from "../buffer/buffer.js";
import { createWaker } from "../wake.js";
import { createCollectorWireWatch, type WireStatus } from "./collector-wire.js";
import { createLanes } from "./lanes.js";

export interface UplinkOptions {
  gateway: string;
  servers: string[];
  /** Credentials and TLS (see agentNatsSecurity). */
  security?: Partial<ConnectionOptions>;
  buffer: ReadingBuffer;
  batchSize?: number;
  /** Wait this long for a partly filled batch to fill before sending it. */
  lingerMs?: number;
  publishTimeoutMs?: number;
  /** Publishes awaiting their PubAck at once; acks are still applied in order. */
  maxInFlight?: number;
  /** Backlog (readings) beyond which fresh readings go first on a live lane. */
  backfillThreshold?: number;
  /** Rate limit of the backfill lane in readings/s; 0 = none. */
  backfillRatePerS?: number;
  /** Batch wire version to send; 1 (no epoch) only plays an older agent in compatibility tests. */
  wireVersion?: 1 | 2;
  /** How often the collectors' announced wire versions are read again. */
  wireCheckIntervalMs?: number;
  log: Logger;
}

export interface UplinkStatus {
  connected: boolean;
  lastError?: string;
  lastAckSeq: number;
  batchesSent: number;
  /** True while an outage backlog drains behind the live lane. */
  backfilling: boolean;
  wire: WireStatus;
  /** The window the first redial after a loss is held within, as the collector sized it for the fleet. */
  redialSpreadMs: number;
}

export interface Uplink {
  start(): void;
  stop(): Promise<void>;
  status(): UplinkStatus;
  /** The live connection, for the heartbeat; undefined while disconnected. */
  connection(): NatsConnection | undefined;
  /**
   * Calls `fn` with the connection once it exists (at once if it already does). It is one
   * connection for the agent's life; the client renews its subscriptions after a reconnect.
   */
  onConnection(fn: (nc: NatsConnection) => void): void;
}

/**
 * Forwards the buffer to JetStream: contiguous seq ranges, one Nats-Msg-Id per range, rows
 * deleted only after the PubAck. Several publishes are in flight; their acks are applied in
 * publish order. A failed range is retried with exactly the same boundaries so JetStream's
 * duplicate window can drop a repeat whose first PubAck was lost. Lanes decide what goes next.
 */
export function createUplink(opts: UplinkOptions): Uplink {
  const { gateway, buffer, log } = opts;
  const batchSize = opts.batchSize ?? 500;
  const lingerMs = opts.lingerMs ?? 0;
  const publishTimeoutMs = opts.publishTimeoutMs ?? 10_000;
  const maxInFlight = opts.maxInFlight ?? 8;
  const wireVersion = opts.wireVersion ?? BATCH_VERSION;
  const wire = createCollectorWireWatch(wireVersion);
  let wireTimer: NodeJS.Timeout | undefined;
  /** Since when sending is held because the collector cannot read this agent's batches. */
  let heldSince: number | undefined;
  const waker = createWaker();
  // Sleeps between connection attempts are woken only by stop(): new readings must never
  // shorten them, or a fleet cut off together would retry on every buffer commit.
  const connectWaker = createWaker();
  const backoff = createBackoff();
  // One pacing for every dial, the first connect's and the client's reconnects: the client's
  // reconnectToServer hook draws the next step as each dial starts.
  const reconnect = createReconnectPolicy();
  let nc: NatsConnection | undefined;
  let connected = false;
  let running = false;
  let loop: Promise<void> | undefined;
  let lastError: string | undefined;
  let batchesSent = 0;
  const connectionListeners: ((nc: NatsConnection) => void)[] = [];
  const newLanes = () =>
    createLanes({
      buffer,
      batchSize,
      backfillThreshold: opts.backfillThreshold,
      backfillRatePerS: opts.backfillRatePerS,
    });
  let lanes = newLanes();
  const unsubscribe = buffer.onCommit(() => waker.wake());

  async function connectWithBackoff(): Promise<NatsConnection | undefined> {
    while (running) {
      try {
        const conn = await connect({
          ...opts.security,
          servers: opts.servers,
          name: `tidegate-agent:${gateway}`,
          maxReconnectAttempts: -1,
          reconnectDelayHandler: reconnect.delayMs,
          reconnectToServer: (pool) => {
            // The first redial after a loss is held within the fleet's window, so a fleet cut off
            // together does not redial together; later ones wait their backoff step.
            const holdMs = reconnect.hold();
            const delay = reconnect.dialing();
            try {
              // The first connect logs its own retries; this is the client's reconnect after a loss.
              if (nc)
                log.info({ holdMs, nextDelayMs: delay, attempt: reconnect.attempts }, "reconnecting to NATS");
            } catch {
              // the hook must not throw; a log line is not worth a dial
            }
            const server = pool[0];
            return holdMs > 0 && server ? { server, delay: holdMs } : null;
          },
        });
        watchStatus(conn);
        for (const fn of connectionListeners) notify(fn, conn);
        connected = true;
        lastError = undefined;
        reconnect.connected();
        log.info({ server: conn.getServer() }, "uplink connected");
        return conn;
      } catch (err) {
        lastError = `cannot connect to ${opts.servers.join(", ")}: ${(err as Error).message}`;
        const delay = reconnect.delayMs();
        log.warn({ delayMs: delay, attempt: reconnect.attempts }, lastError);
        await connectWaker.sleep(delay);
      }
    }
    return undefined;
  }

  function notify(fn: (nc: NatsConnection) => void, conn: NatsConnection) {
    try {
      fn(conn);
    } catch (err) {
      log.error({ err }, "a user of the NATS connection failed to attach; telemetry carries on");
    }
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
          reconnect.connected();
          log.info("uplink reconnected");
          waker.wake();
        }
      }
    })();
  }

  async function run() {
    nc ??= await connectWithBackoff();
    if (!nc) return;
    // Start from the buffer's watermark: after a restart of this loop, anything unacked goes again.
    lanes = newLanes();
    const js = jetstream(nc, { timeout: publishTimeoutMs });
    // Agents before epochs (wire version 1) sent none: the collector files them under epoch 0.
    const epoch = wireVersion === 1 ? 0 : buffer.stats().epoch;
    await wire.refresh(nc);
    reconnect.spread(wire.spreadMs() ?? 0);
    // A range is encoded once: a retry sends the same bytes under the same Nats-Msg-Id.
    const nextFromLanes = (): Encoded | undefined => {
      const run = lanes.next();
      if (!run) return undefined;
      return { first: run.first, last: run.last, data: encodeBatchColumns(gateway, run, epoch, wireVersion) };
    };
    const publish = (batch: Encoded) =>
      js
        .publish(subjects.telemetry(gateway), batch.data, {
          msgID: batchMsgId(gateway, batch.first, batch.last, epoch),
        })
        .then(
          () => undefined,
          (err: Error) => err,
        );
    const inflight: { batch: Encoded; result: Promise<Error | undefined> }[] = [];
    // Failed ranges, oldest first, resent with exactly their first boundaries.
    const retries: Encoded[] = [];
    let failing = false;

    while (running) {
      if (!connected && inflight.length === 0) {
        await waker.sleep(500);
        continue;
      }
      const mismatch = wire.mismatch();
      if (mismatch && inflight.length === 0) {
        if (heldSince === undefined) {
          heldSince = Date.now();
          log.error(mismatch);
        }
        await waker.sleep(1000);
        continue;
      }
      if (!mismatch && heldSince !== undefined) {
        heldSince = undefined;
        log.info("the collector reads this agent's batches now; sending the buffer");
      }
      // A small linger turns many tiny messages into fewer large ones; never when a batch is full.
      if (inflight.length === 0 && retries.length === 0) {
        const waiting = lanes.waiting();
        if (lingerMs > 0 && waiting > 0 && waiting < batchSize) await waker.sleep(lingerMs);
      }
      while (connected && !failing && !mismatch && inflight.length < maxInFlight) {
        const batch = retries.shift() ?? nextFromLanes();
        if (!batch) break;
        inflight.push({ batch, result: publish(batch) });
      }
      const next = inflight.shift();
      if (!next) {
        await waker.sleep(lanes.retryInMs() || 1000);
        continue;
      }
      // Acks are taken in publish order, so the buffer is pruned oldest first.
      const err = await next.result;
      const { first, last } = next.batch;
      if (!err) {
        buffer.markSent(first, last);
        batchesSent += 1;
        if (!failing) {
          backoff.reset();
          lastError = undefined;
        }
        continue;
      }
      failing = true;
      retries.push(next.batch);
      retries.sort((a, b) => a.first - b.first);
      lastError = describePublishError(err);
      if (inflight.length === 0) {
        const delay = backoff.next();
        log.warn({ first, last, retrying: retries.length, delayMs: delay }, lastError);
        await waker.sleep(delay);
        failing = false;
      }
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      wireTimer = setInterval(() => {
        if (nc && connected)
          void wire.refresh(nc).then(() => {
            reconnect.spread(wire.spreadMs() ?? 0);
            waker.wake();
          });
      }, opts.wireCheckIntervalMs ?? 5000);
      // A bug in the loop must not leave readings stranded in the buffer: log it and start over.
      loop = (async () => {
        while (running) {
          try {
            await run();
          } catch (err) {
            lastError = `uplink loop failed: ${(err as Error).message}; restarting`;
            log.error({ err }, lastError);
            await waker.sleep(backoff.next());
          }
        }
      })();
    },
    async stop() {
      running = false;
      clearInterval(wireTimer);
      waker.wake();
      connectWaker.wake();
      unsubscribe();
      await loop;
      connected = false;
      await nc?.drain().catch(() => nc?.close());
    },
    status: () => {
      const s: UplinkStatus = {
        connected,
        lastAckSeq: buffer.stats().lastAckedSeq,
        batchesSent,
        backfilling: lanes.backfilling(),
        redialSpreadMs: reconnect.spreadMs,
        wire: { ...wire.status(), ...(heldSince !== undefined ? { heldSince } : {}) },
      };
      if (lastError) s.lastError = lastError;
      return s;
    },
    connection: () => (connected ? nc : undefined),
    onConnection(fn) {
      connectionListeners.push(fn);
      if (nc) notify(fn, nc);
    },
  };
}

/** A range ready to publish. */
interface Encoded {
  first: number;
  last: number;
  data: Uint8Array;
}

function describePublishError(err: Error): string {
  const msg = err.message || String(err);
  if (/no responders|503/i.test(msg)) {
    return "no JetStream stream accepts tidegate.telemetry yet (is the collector running? it creates the stream); buffering";
  }
  return `publish failed: ${msg}; buffering and retrying`;
}
