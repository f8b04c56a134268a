import { type Batch, decodeBatch, type Heartbeat } from "@tidegate/protocol";
import { LATEST_WRITE_AFTER_MS } from "../latest-values.js";
import { type Retention, startRetention } from "../retention.js";
import type { SqliteStore } from "../sqlite-store.js";
import type { InsertResult } from "../types.js";

/** What the writer's background work reports; pino's methods fit, and so does the worker's relay. */
export interface WriterLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Every write the collector's readings path makes to its SQLite file, behind one async interface:
 * in this thread (`createInlineWriter`, for tests and tools) or in a worker thread
 * (`worker-client.ts`), so commits, head moves, retention and checkpoints never hold the event loop
 * that serves the API. A promise resolves only once its transaction has committed: the consumer
 * acks after that, never before.
 */
export interface StoreWriter {
  readonly inWorker: boolean;
  insertBatches(batches: readonly Batch[], receivedAt?: number): Promise<InsertResult[]>;
  /**
   * The same for batches still encoded (the JetStream messages they came in, read already by the
   * caller): the thread decodes them itself, which costs the main thread a copy of the bytes
   * instead of a structured clone of every reading.
   */
  insertEncoded(messages: readonly Uint8Array[], receivedAt?: number): Promise<InsertResult[]>;
  /** InfluxDB mode: records the seqs (and registry) of batches InfluxDB took. */
  recordBatches(batches: readonly Batch[], receivedAt?: number): Promise<InsertResult[]>;
  /** Resolves with how far the gateway's clock jumped, if it did. */
  saveHeartbeat(hb: Heartbeat, receivedAt?: number): Promise<number | undefined>;
  /** Moves the gateway's head into chunks and rollups, so a read that follows sees every reading. */
  settle(gateway: string): Promise<void>;
  /** Writes the gateway's newest values to the `series` table, so a read that follows sees them. */
  writeLatest(gateway: string): Promise<void>;
  /** Background work: latest values waiting once ingest pauses, and retention (SQLite readings only). */
  start(o: { retention?: Retention }): void;
  /** Stops background work, writes what waits and closes the writer's connection. */
  close(): Promise<void>;
}

/** The writer's work on one store, synchronous: what the worker thread runs, and the inline writer. */
export function createWriterCore(store: SqliteStore, log: WriterLog) {
  let latestTimer: NodeJS.Timeout | undefined;
  let retention: ReturnType<typeof startRetention> | undefined;
  return {
    insertBatches: (batches: readonly Batch[], receivedAt?: number) =>
      store.insertBatches(batches, receivedAt),
    // The caller decoded these once with its wire limit; the same decoder gives the same batches.
    insertEncoded: (messages: readonly Uint8Array[], receivedAt?: number) =>
      store.insertBatches(
        messages.map((m) => decodeBatch(m)),
        receivedAt,
      ),
    recordBatches: (batches: readonly Batch[], receivedAt?: number) =>
      store.recordBatches(batches, receivedAt),
    saveHeartbeat: (hb: Heartbeat, receivedAt?: number) => store.saveHeartbeat(hb, receivedAt),
    settle: (gateway: string) => void store.settle(gateway),
    writeLatest: (gateway: string) => void store.writeLatest(gateway),
    start(o: { retention?: Retention }) {
      // Commits write latest values as they go; this writes what waits once ingest pauses.
      latestTimer ??= setInterval(() => {
        try {
          store.writeDueLatest();
        } catch (err) {
          log.warn({ err }, "writing latest values failed; the next commit or timer tries again");
        }
      }, LATEST_WRITE_AFTER_MS);
      latestTimer.unref();
      if (o.retention && !retention) retention = startRetention(store, o.retention, log);
    },
    async close() {
      clearInterval(latestTimer);
      await retention?.stop();
      store.close();
    },
  };
}

/** The writer in the caller's thread: the same interface, the store's own synchronous work. */
export function createInlineWriter(store: SqliteStore, log: WriterLog): StoreWriter {
  const core = createWriterCore(store, log);
  // Each call runs at once (as the store always did) and answers through a promise.
  const later =
    <A extends unknown[], R>(f: (...a: A) => R) =>
    async (...a: A): Promise<R> =>
      f(...a);
  return {
    inWorker: false,
    insertBatches: later(core.insertBatches),
    insertEncoded: later(core.insertEncoded),
    recordBatches: later(core.recordBatches),
    saveHeartbeat: later(core.saveHeartbeat),
    settle: later(core.settle),
    writeLatest: later(core.writeLatest),
    start: core.start,
    close: core.close,
  };
}
