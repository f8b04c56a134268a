import { type JsMsg, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  BATCH_VERSION,
  type Batch,
  COLLECTOR_DURABLE,
  COLLECTOR_WIRE_KEY,
  createBackoff,
  decodeBatch,
  decodeHeartbeat,
  encodeCollectorWire,
  type Heartbeat,
  NewerWireVersionError,
  OLDEST_BATCH_VERSION,
  subjects,
  TELEMETRY_STREAM,
  TIDEGATE_KV_BUCKET,
} from "@tidegate/protocol";
import type { Logger } from "pino";
import type { ReadingsBackend } from "../store/backend.js";
import type { InsertResult } from "../store/sqlite-store.js";
import { streamReplicas, withReplicas } from "./replicas.js";
import { ensureTelemetryStream, PULL_EXPIRES_MS } from "./stream.js";

export interface IngestStats {
  batches: number;
  readings: number;
  duplicates: number;
  /** Messages that could not be read, by reason; they are terminated, never stored. */
  rejected: Record<string, number>;
  /** Batches in a wire version newer than this collector reads: left in the stream for a newer collector. */
  newerWire: number;
  /** Messages the durable consumer has not delivered yet, plus those delivered and not acked (the lag). */
  pending?: number;
  /** Whether the telemetry consumer is pulling right now (false while it retries). */
  consuming: boolean;
  /** Why it is not, when it is not. */
  lastError?: string;
  storeErrors: number;
}

/**
 * Pulls telemetry from the shared durable consumer and commits each batch before acking it.
 * A store failure naks with a delay so JetStream redelivers; a malformed batch is terminated
 * and counted, because redelivering it would fail the same way forever.
 */
const MAX_GROUP = 50;

export interface IngestOptions {
  /** How long JetStream waits before redelivering a batch the store could not commit. */
  nakDelayMs?: number;
  /** Each group commit's duration in seconds (the store write latency histogram). */
  observeCommit?: (seconds: number) => void;
  /** Called with the batches of each committed group that added readings (the live feed). */
  onCommitted?: (batches: Batch[]) => void;
  /** Newest batch wire version read; lower only to play an older collector in tests. */
  wireMax?: number;
  collectorVersion?: string;
  /** Copies of each stream; default 3 on a JetStream cluster, 1 on a single server. */
  streamReplicas?: number;
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

export function startIngest(
  nc: NatsConnection,
  /** saveHeartbeat tells how far the gateway's clock jumped, if it did. */
  store: Pick<ReadingsBackend, "insertBatches"> & { saveHeartbeat(hb: Heartbeat): unknown },
  log: Logger,
  options: IngestOptions = {},
) {
  const nakDelayMs = options.nakDelayMs ?? 5000;
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
  const group: { m: JsMsg; batch: Batch }[] = [];
  let groupScheduled = false;
  // A store that answers later (InfluxDB) has one group in flight; the next one gathers meanwhile.
  let inFlight: Promise<void> | undefined;

  const heartbeats = nc.subscribe(subjects.statusAll, {
    callback: (err, msg) => {
      if (err) return;
      try {
        const hb = decodeHeartbeat(msg.data);
        const jumpMs = store.saveHeartbeat(hb);
        if (typeof jumpMs === "number")
          log.warn(
            { gateway: hb.gateway, jumpMs },
            "gateway clock jumped; its readings around now carry its time",
          );
      } catch (e) {
        log.warn({ subject: msg.subject, reason: (e as Error).message }, "heartbeat dropped");
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
        await ensureTelemetryStream(jsm, { replicas: r });
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
      await handle(messages);
    } finally {
      clearInterval(lag);
    }
  }

  async function handle(messages: AsyncIterable<JsMsg>) {
    for await (const m of messages) {
      let batch: Batch;
      try {
        batch = decodeBatch(m.data, { maxVersion: wireMax });
        if (m.subject !== subjects.telemetry(batch.gateway)) {
          throw new Error(`batch for gateway ${batch.gateway} arrived on ${m.subject}`);
        }
      } catch (err) {
        if (err instanceof NewerWireVersionError) {
          // Readable by a newer collector: keep it in the stream, never terminate it.
          stats.newerWire += 1;
          if (stats.newerWire === 1 || stats.newerWire % 1000 === 0)
            log.warn({ subject: m.subject, held: stats.newerWire }, `${err.message} Left in the stream.`);
          m.nak(60_000);
          continue;
        }
        const reason = (err as Error).message.split(":")[0] ?? "unreadable";
        stats.rejected[reason] = (stats.rejected[reason] ?? 0) + 1;
        log.warn({ subject: m.subject, seq: m.seq, reason: (err as Error).message }, "batch rejected");
        m.term(reason);
        continue;
      }
      group.push({ m, batch });
      // Backpressure: while a write is in flight, stop pulling once the next group is full.
      if (inFlight && group.length >= MAX_GROUP) await inFlight;
      if (group.length >= MAX_GROUP) commitGroup();
      else if (!groupScheduled) {
        groupScheduled = true;
        setImmediate(commitGroup);
      }
    }
  }

  /**
   * Commits every batch that arrived in the same turn of the event loop in one transaction, then
   * acks them all; more rows per transaction means fewer index pages rewritten per reading.
   */
  function commitGroup() {
    groupScheduled = false;
    if (inFlight) return; // the write in flight commits what gathered meanwhile when it ends
    const items = group.splice(0);
    if (items.length === 0) return;
    const started = performance.now();
    const committed = (results: InsertResult[]) => {
      options.observeCommit?.((performance.now() - started) / 1000);
      for (const r of results) {
        stats.batches += 1;
        stats.readings += r.inserted;
        stats.duplicates += r.duplicates;
      }
      for (const i of items) i.m.ack();
      options.onCommitted?.(items.filter((_, n) => (results[n]?.inserted ?? 0) > 0).map((i) => i.batch));
    };
    const failed = (err: unknown) => {
      stats.storeErrors += items.length;
      log.error({ err, batches: items.length }, "store failed; the batches will be redelivered");
      for (const i of items) i.m.nak(nakDelayMs);
    };
    let pending: InsertResult[] | Promise<InsertResult[]>;
    try {
      pending = store.insertBatches(items.map((i) => i.batch));
      if (!(pending instanceof Promise)) return committed(pending);
    } catch (err) {
      return failed(err);
    }
    // A slow write (retries) must not let ack_wait run out and hand the batches to another collector.
    const working = setInterval(() => {
      try {
        for (const i of items) i.m.working();
      } catch {
        // the connection is closing: the batches come back to some collector after ack_wait
      }
    }, 10_000);
    inFlight = pending
      .then(committed, failed)
      .catch((err) => log.error({ err }, "acking a committed group failed"))
      .finally(() => {
        clearInterval(working);
        inFlight = undefined;
        if (group.length > 0) commitGroup();
      });
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
      while (inFlight) await inFlight;
    },
  };
}
