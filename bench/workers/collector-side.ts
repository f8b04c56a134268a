// The collector's half of the pipeline in a process of its own: the real startIngest consumer
// storing into the real SQLite store. Driven by bench/figures/{e2e,latency}.ts.

import { readFileSync, rmSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { COLLECTOR_DURABLE, decodeBatch, TELEMETRY_STREAM } from "@tidegate/protocol";
import pino from "pino";
import { startIngest } from "../../collector/src/consumer/consumer.js";
import { openSqliteStore, type SqliteStore } from "../../collector/src/store/sqlite-store.js";
import { deadline } from "../lib/figure.js";
import { encodePayloads } from "../lib/nats.js";
import { makeReadings, sequenced } from "../lib/readings.js";
import { serve, wallNow } from "../lib/worker.js";

interface Running {
  nc: NatsConnection;
  store: SqliteStore;
  ingest: ReturnType<typeof startIngest>;
  path: string;
  inserted: number;
  insertMs: number;
  batches: number;
  /** [firstSeq, lastSeq, wallNow() right after the batch's transaction committed] per batch. */
  log?: [number, number, number][];
  reached?: { n: number; resolve: (t: number) => void };
  cpu0: NodeJS.CpuUsage;
  elu0: ReturnType<typeof performance.eventLoopUtilization>;
}

let running: Running | undefined;

/** Opens a fresh store at `path` and starts ingesting; resolves once the durable consumer is pulling. */
async function start(a: { path: string; url: string; record?: boolean }) {
  if (running) throw new Error("ingest already running");
  const store = openSqliteStore(a.path);
  const nc = await connect({ servers: a.url, name: "tidegate-bench-collector" });
  const r: Partial<Running> = { nc, store, path: a.path, inserted: 0, insertMs: 0, batches: 0 };
  if (a.record) r.log = [];
  // The store handed to startIngest: the real one, timed, noting when each batch is committed.
  const observed: SqliteStore = {
    ...store,
    insertBatches(batches, receivedAt) {
      const t = performance.now();
      const results = store.insertBatches(batches, receivedAt);
      const at = wallNow();
      const s = r as Running;
      s.insertMs += performance.now() - t;
      batches.forEach((batch, i) => {
        s.inserted += results[i]?.inserted ?? 0;
        s.batches += 1;
        s.log?.push([batch.firstSeq, batch.lastSeq, at]);
      });
      if (s.reached && s.inserted >= s.reached.n) s.reached.resolve(at);
      return results;
    },
  };
  r.ingest = startIngest(nc, observed, pino({ level: "silent" }));
  running = r as Running;
  const jsm = await jetstreamManager(nc);
  const limit = deadline("collector consumer ready", 15_000);
  for (;;) {
    const info = await jsm.consumers.info(TELEMETRY_STREAM, COLLECTOR_DURABLE).catch(() => undefined);
    if (info && info.num_waiting > 0) break;
    limit.check();
    await sleep(20);
  }
  running.cpu0 = process.cpuUsage();
  running.elu0 = performance.eventLoopUtilization();
}

/** Resolves once `n` readings are stored, with the wallNow() of the commit that stored the n-th. */
async function waitStored(a: { n: number; timeoutMs: number }) {
  const r = running;
  if (!r) throw new Error("ingest not running");
  const storedAt =
    r.inserted >= a.n
      ? wallNow()
      : await new Promise<number>((resolve, reject) => {
          const timer = setTimeout(() => {
            const s = r.ingest.stats();
            reject(
              new Error(
                `collector stored ${r.inserted}/${a.n} readings in ${a.timeoutMs} ms ` +
                  `(rejected ${JSON.stringify(s.rejected)}, store errors ${s.storeErrors})`,
              ),
            );
          }, a.timeoutMs);
          r.reached = {
            n: a.n,
            resolve: (t) => {
              clearTimeout(timer);
              resolve(t);
            },
          };
        });
  const cpu = process.cpuUsage(r.cpu0);
  return {
    storedAt,
    inserted: r.inserted,
    insertMs: r.insertMs,
    batches: r.batches,
    duplicates: r.ingest.stats().duplicates,
    cpuMs: (cpu.user + cpu.system) / 1000,
    elu: performance.eventLoopUtilization(r.elu0).utilization,
  };
}

/** Stops ingesting and closes the store (deleting it); returns the per-batch log when recording. */
async function stop() {
  const r = running;
  if (!r) return { log: [] };
  running = undefined;
  await r.ingest.stop();
  await r.nc.close();
  r.store.close();
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${r.path}${suffix}`, { force: true });
  return { log: r.log ?? [] };
}

/** Bytes this process has handed to write() so far (/proc/self/io wchar). */
function bytesWritten(): number {
  return Number(/^wchar: (\d+)$/m.exec(readFileSync("/proc/self/io", "utf8"))?.[1] ?? Number.NaN);
}

/**
 * Where the collector's time goes per batch, without the network: decodeBatch, then insertBatch,
 * with the CPU time and the bytes SQLite wrote (WAL frames and checkpoints) for the inserts.
 */
function profile(a: { path: string; n: number; batchSize: number; gateway: string }) {
  const payloads = encodePayloads(sequenced(makeReadings(a.n)), a.batchSize, a.gateway);
  const store = openSqliteStore(a.path);
  try {
    let t = performance.now();
    const batches = payloads.map((p) => decodeBatch(p.data));
    const decodeMs = performance.now() - t;
    const written0 = bytesWritten();
    const cpu0 = process.cpuUsage();
    t = performance.now();
    let inserted = 0;
    for (const b of batches) inserted += store.insertBatch(b).inserted;
    const insertMs = performance.now() - t;
    const cpu = process.cpuUsage(cpu0);
    const written = bytesWritten() - written0;
    if (inserted !== a.n) throw new Error(`profile stored ${inserted} readings, expected ${a.n}`);
    return {
      decodeMs,
      insertMs,
      insertCpuMs: (cpu.user + cpu.system) / 1000,
      written,
      bytes: payloads.reduce((s, p) => s + p.data.length, 0),
    };
  } finally {
    store.close();
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${a.path}${suffix}`, { force: true });
  }
}

serve({ start, waitStored, stop, profile });
