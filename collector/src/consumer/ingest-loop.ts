import {
  BATCH_VERSION,
  type Batch,
  decodeBatch,
  NewerWireVersionError,
  subjects,
  WireError,
} from "@tidegate/protocol";
import type { Logger } from "pino";
import type { ReadingsBackend } from "../store/backend.js";
import type { InsertResult } from "../store/types.js";

/** The most of a rejected batch's error message that goes with its term. */
const MAX_TERM_REASON = 300;

export interface IngestStats {
  batches: number;
  readings: number;
  duplicates: number;
  /**
   * Messages that could not be read, by the WireError code that says why ("wire.malformed",
   * "wire.not-json", "wire.misrouted"; "unreadable" for anything else): a metric label, so a small
   * fixed set. They are terminated, never stored.
   */
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
 * One telemetry message as the ingest loop sees it. JetStream's JsMsg is one; tests hand in
 * plain objects, so the loop's policy (ack after commit, nak on store failure, term what cannot
 * be read, leave newer wire versions for a newer collector) is tested without a server.
 */
export interface TelemetryMessage {
  readonly subject: string;
  readonly seq: number;
  readonly data: Uint8Array;
  ack(): void;
  nak(delayMs?: number): void;
  term(reason?: string): void;
  /** Tells the server the message is still being worked on (resets its ack_wait). */
  working(): void;
}

export interface IngestLoopOptions {
  /** How long JetStream waits before redelivering a batch the store could not commit. */
  nakDelayMs?: number;
  /** Each group commit's duration in seconds (the store write latency histogram). */
  observeCommit?: (seconds: number) => void;
  /** Called with the batches of each committed group that added readings (the live feed). */
  onCommitted?: (batches: Batch[]) => void;
  /** Newest batch wire version read; lower only to play an older collector in tests. */
  wireMax?: number;
  /** The consumer's ack_wait: a write still running is reported as in progress well inside it. */
  ackWaitMs?: number;
}

/** Batches per store transaction at most; more wait for the next one. */
const MAX_GROUP = 50;
/**
 * Readings per store transaction, about: a transaction is one synchronous stretch of the event
 * loop and the API waits behind it. Fifty backfill batches of 500 readings were one ~0.1 s commit;
 * 5,000 readings keep a commit to a few tens of ms and still write whole chunks.
 */
const MAX_GROUP_READINGS = 5000;

/**
 * Commits each batch before acking it. A store failure naks with a delay so JetStream
 * redelivers; a malformed batch is terminated and counted, because redelivering it would fail
 * the same way forever; a batch in a newer wire version is left in the stream.
 */
export function createIngestLoop(
  store: Pick<ReadingsBackend, "insertBatches">,
  log: Logger,
  stats: IngestStats,
  options: IngestLoopOptions = {},
) {
  const nakDelayMs = options.nakDelayMs ?? 5000;
  const wireMax = options.wireMax ?? BATCH_VERSION;
  const group: { m: TelemetryMessage; batch: Batch }[] = [];
  let groupReadings = 0;
  let groupScheduled = false;
  // A store that answers later (InfluxDB) has one group in flight; the next one gathers meanwhile.
  let inFlight: Promise<void> | undefined;

  async function handle(messages: AsyncIterable<TelemetryMessage>) {
    for await (const m of messages) {
      let batch: Batch;
      try {
        batch = decodeBatch(m.data, { maxVersion: wireMax });
        if (m.subject !== subjects.telemetry(batch.gateway)) {
          throw new WireError(`batch for gateway ${batch.gateway} arrived on ${m.subject}`, "wire.misrouted");
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
        const reason = err instanceof WireError ? err.code : "unreadable";
        const message = String((err as Error)?.message ?? err);
        stats.rejected[reason] = (stats.rejected[reason] ?? 0) + 1;
        log.warn({ subject: m.subject, seq: m.seq, code: reason, reason: message }, "batch rejected");
        // The words travel in JetStream's term advisory; a schema error may list thousands of issues.
        m.term(message.slice(0, MAX_TERM_REASON));
        continue;
      }
      group.push({ m, batch });
      groupReadings += batch.readings.length;
      const full = () => group.length >= MAX_GROUP || groupReadings >= MAX_GROUP_READINGS;
      // Backpressure: while a write is in flight, stop pulling once the next group is full.
      if (inFlight && full()) await inFlight;
      if (full()) {
        commitGroup();
        // Buffered messages arrive as microtasks, so a deep backlog would commit group after
        // group without a turn of the event loop: the API and heartbeats waited seconds behind
        // it (fleet bench). One turn per full group lets them in.
        await new Promise((resolve) => setImmediate(resolve));
      } else if (!groupScheduled) {
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
    groupReadings = 0;
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
      pending = store.insertBatches(
        items.map((i) => i.batch),
        undefined,
        items.map((i) => i.m.data),
      );
      if (!(pending instanceof Promise)) return committed(pending);
    } catch (err) {
      return failed(err);
    }
    // A slow write (retries) must not let ack_wait run out and hand the batches to another collector.
    const working = setInterval(
      () => {
        try {
          for (const i of items) i.m.working();
        } catch {
          // the connection is closing: the batches come back to some collector after ack_wait
        }
      },
      Math.min(10_000, (options.ackWaitMs ?? 30_000) / 3),
    );
    inFlight = pending
      .then(committed, failed)
      .catch((err) => log.error({ err }, "acking a committed group failed"))
      .finally(() => {
        clearInterval(working);
        inFlight = undefined;
        if (group.length > 0) commitGroup();
      });
  }

  return {
    /** Reads `messages` until they end, committing and acking as they come. */
    handle,
    /** Resolves once no group is being written. */
    async drain() {
      while (inFlight) await inFlight;
    },
  };
}
