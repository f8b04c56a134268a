import { jetstream } from "@nats-io/jetstream";
import { type ConnectionOptions, connect, type NatsConnection } from "@nats-io/transport-node";
import { createBackoff, createReconnectPolicy } from "@tidegate/node-kit";
import { BATCH_VERSION, subjects } from "@tidegate/protocol";
import type { Logger } from "pino";
import type { ReadingBuffer } from "../buffer/buffer.js";
import { createWaker } from "../wake.js";
import { createCollectorWireWatch, type WireStatus } from "./collector-wire.js";
import { createSendLoop, type SendPort } from "./send-loop.js";

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
 * The agent's NATS link: one connection (paced dials, the fleet's redial window), the collectors'
 * wire announcements, and JetStream as the send loop's port (send-loop.ts holds what goes when).
 */
export function createUplink(opts: UplinkOptions): Uplink {
  const { gateway, buffer, log } = opts;
  const publishTimeoutMs = opts.publishTimeoutMs ?? 10_000;
  const wireVersion = opts.wireVersion ?? BATCH_VERSION;
  const wire = createCollectorWireWatch(wireVersion);
  let wireTimer: NodeJS.Timeout | undefined;
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
  const connectionListeners: ((nc: NatsConnection) => void)[] = [];
  const sender = createSendLoop({
    gateway,
    buffer,
    batchSize: opts.batchSize ?? 500,
    lingerMs: opts.lingerMs ?? 0,
    maxInFlight: opts.maxInFlight ?? 8,
    backfillThreshold: opts.backfillThreshold,
    backfillRatePerS: opts.backfillRatePerS,
    wireVersion,
    waker,
    log,
  });
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
    const js = jetstream(nc, { timeout: publishTimeoutMs });
    await wire.refresh(nc);
    reconnect.spread(wire.spreadMs() ?? 0);
    const port: SendPort = {
      connected: () => connected,
      mismatch: () => wire.mismatch(),
      publish: (range) =>
        js.publish(subjects.telemetry(gateway), range.data, { msgID: range.msgId }).then(
          () => undefined,
          (err: Error) => err,
        ),
    };
    await sender.run(port, () => running);
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
            // Shown until a publish goes through again, as a publish failure is.
            sender.state.lastError = `uplink loop failed: ${(err as Error).message}; restarting`;
            log.error({ err }, sender.state.lastError);
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
      const { heldSince, batchesSent } = sender.state;
      const s: UplinkStatus = {
        connected,
        lastAckSeq: buffer.stats().lastAckedSeq,
        batchesSent,
        backfilling: sender.backfilling(),
        redialSpreadMs: reconnect.spreadMs,
        wire: { ...wire.status(), ...(heldSince !== undefined ? { heldSince } : {}) },
      };
      const error = lastError ?? sender.state.lastError;
      if (error) s.lastError = error;
      return s;
    },
    connection: () => (connected ? nc : undefined),
    onConnection(fn) {
      connectionListeners.push(fn);
      if (nc) notify(fn, nc);
    },
  };
}
