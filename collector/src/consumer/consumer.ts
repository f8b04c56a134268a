import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { createBackoff } from "@tidegate/node-kit";
import {
  BATCH_VERSION,
  COLLECTOR_DURABLE,
  COLLECTOR_WIRE_KEY,
  decodeHeartbeat,
  encodeCollectorWire,
  type Heartbeat,
  OLDEST_BATCH_VERSION,
  subjects,
  TELEMETRY_STREAM,
  TIDEGATE_KV_BUCKET,
} from "@tidegate/protocol";
import type { Logger } from "pino";
import type { ReadingsBackend } from "../store/backend.js";
import { createIngestLoop, type IngestLoopOptions, type IngestStats } from "./ingest-loop.js";
import { streamReplicas, withReplicas } from "./replicas.js";
import { ensureTelemetryStream, PULL_EXPIRES_MS } from "./stream.js";

export type { IngestStats } from "./ingest-loop.js";

export interface IngestOptions extends IngestLoopOptions {
  collectorVersion?: string;
  /** Copies of each stream; default 3 on a JetStream cluster, 1 on a single server. */
  streamReplicas?: number;
  /** How long the server waits for an ack before redelivering (the consumer's ack_wait); 30 s. */
  ackWaitMs?: number;
}

/** Tells agents which batch versions this collector reads, before they publish what it cannot. */
async function announceWire(nc: NatsConnection, max: number, collectorVersion: string, replicas: number) {
  const kv = await new Kvm(nc).create(TIDEGATE_KV_BUCKET, { history: 1, replicas });
  // A bucket made before the cluster (one replica) gets its copies now.
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(`KV_${TIDEGATE_KV_BUCKET}`);
  if (info.config.num_replicas !== replicas)
    await jsm.streams.update(info.config.name, { ...info.config, num_replicas: replicas });
  await kv.put(
    COLLECTOR_WIRE_KEY,
    encodeCollectorWire({ v: 1, min: OLDEST_BATCH_VERSION, max, collectorVersion, at: Date.now() }),
  );
}

/**
 * The NATS side of ingest: ensures the telemetry stream and announces the wire versions read,
 * pulls from the shared durable consumer into the ingest loop (ingest-loop.ts), and saves
 * heartbeats; a failed consumer is retried with backoff.
 */
export function startIngest(
  nc: NatsConnection,
  /** saveHeartbeat tells (now or later) how far the gateway's clock jumped, if it did. */
  store: Pick<ReadingsBackend, "insertBatches"> & { saveHeartbeat(hb: Heartbeat): unknown },
  log: Logger,
  options: IngestOptions = {},
) {
  const wireMax = options.wireMax ?? BATCH_VERSION;
  const stats: IngestStats = {
    batches: 0,
    readings: 0,
    duplicates: 0,
    rejected: {},
    newerWire: 0,
    consuming: false,
    storeErrors: 0,
  };
  let stopped = false;
  let stopConsume: (() => void) | undefined;
  const backoff = createBackoff({ initialMs: 500, maxMs: 15_000 });
  const loop = createIngestLoop(store, log, stats, {
    nakDelayMs: options.nakDelayMs,
    observeCommit: options.observeCommit,
    onCommitted: options.onCommitted,
    wireMax,
    ackWaitMs: options.ackWaitMs,
  });

  const heartbeats = nc.subscribe(subjects.statusAll, {
    callback: (err, msg) => {
      if (err) return;
      const dropped = (e: unknown) =>
        log.warn({ subject: msg.subject, reason: (e as Error).message }, "heartbeat dropped");
      try {
        const hb = decodeHeartbeat(msg.data);
        Promise.resolve(store.saveHeartbeat(hb)).then((jumpMs) => {
          if (typeof jumpMs === "number")
            log.warn(
              { gateway: hb.gateway, jumpMs },
              "gateway clock jumped; its readings around now carry its time",
            );
        }, dropped);
      } catch (e) {
        dropped(e);
      }
    },
  });

  async function consumeUntilError() {
    const jsm = await jetstreamManager(nc);
    const replicas = await withReplicas(
      streamReplicas(nc, options.streamReplicas),
      "telemetry stream",
      log,
      async (r) => {
        await ensureTelemetryStream(jsm, { replicas: r, ackWaitMs: options.ackWaitMs });
        return r;
      },
    );
    await withReplicas(replicas, "settings bucket", log, (r) =>
      announceWire(nc, wireMax, options.collectorVersion ?? "unknown", r),
    );
    const consumer = await jetstream(nc).consumers.get(TELEMETRY_STREAM, COLLECTOR_DURABLE);
    const messages = await consumer.consume({ max_messages: 200, expires: PULL_EXPIRES_MS });
    // The lag, for /metrics: read every 10 s while consuming.
    const lag = setInterval(() => {
      consumer
        .info(true)
        .then((info) => {
          stats.pending = info.num_pending + info.num_ack_pending;
        })
        .catch(() => {});
    }, 10_000);
    lag.unref();
    stopConsume = () => {
      clearInterval(lag);
      void messages.stop();
    };
    log.info({ stream: TELEMETRY_STREAM, consumer: COLLECTOR_DURABLE }, "consuming telemetry");
    stats.consuming = true;
    stats.lastError = undefined;
    backoff.reset();
    try {
      await loop.handle(messages);
    } finally {
      clearInterval(lag);
    }
  }

  // JetStream may not be ready yet (server just started, stream being restored): keep trying.
  const done = (async () => {
    while (!stopped) {
      try {
        await consumeUntilError();
        stats.consuming = false;
      } catch (err) {
        stats.consuming = false;
        if (stopped) break;
        stats.lastError = (err as Error).message;
        const delayMs = backoff.next();
        log.warn({ delayMs, reason: (err as Error).message }, "telemetry consumer failed; retrying");
        await new Promise((r) => setTimeout(r, delayMs));
      }
    }
  })();

  return {
    stats: () => stats,
    done,
    async stop() {
      stopped = true;
      heartbeats.unsubscribe();
      stopConsume?.();
      await done.catch(() => {});
      await loop.drain();
    },
  };
}
