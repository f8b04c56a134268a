// The agent's half of the pipeline in a process of its own: the real SQLite buffer and the real
// createUplink publishing to JetStream. Driven by bench/figures/{e2e,backlog,latency}.ts.

import { copyFileSync, rmSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { connect } from "@nats-io/transport-node";
import { type BatchColumns, encodeBatchColumns } from "@tidegate/protocol";
import pino from "pino";
import { openBuffer, type ReadingBuffer } from "../../agent/src/buffer/buffer.js";
import { createUplink } from "../../agent/src/uplink/uplink.js";
import { deadline } from "../lib/figure.js";
import { encodePayloads, rawPublish } from "../lib/nats.js";
import { chunks, makeReadings, sequenced } from "../lib/readings.js";
import { serve, wallNow } from "../lib/worker.js";

/** One poll of every point, as a source hands it to append(). */
const POLL = 96;
/** Readings per transaction while filling (flush() after each slice). */
const FILL_SLICE = 20_000;
const log = pino({ level: "silent" });

function cpuSince(start: NodeJS.CpuUsage, eluStart: ReturnType<typeof performance.eventLoopUtilization>) {
  const cpu = process.cpuUsage(start);
  return {
    cpuMs: (cpu.user + cpu.system) / 1000,
    elu: performance.eventLoopUtilization(eluStart).utilization,
  };
}

/** A buffer holding readings 1..n (makeReadings), committed FILL_SLICE at a time. */
function fill(a: { path: string; n: number }) {
  const buffer = openBuffer({ path: a.path });
  try {
    const limit = deadline("buffer fill", 90_000);
    const start = performance.now();
    for (let from = 0; from < a.n; from += FILL_SLICE) {
      for (const poll of chunks(makeReadings(Math.min(FILL_SLICE, a.n - from), from), POLL))
        buffer.append(poll);
      buffer.flush();
      limit.check();
    }
    const lastSeq = buffer.flush();
    if (lastSeq !== a.n) throw new Error(`buffer filled up to seq ${lastSeq}, expected ${a.n}`);
    return { ms: performance.now() - start };
  } finally {
    buffer.close();
  }
}

interface DrainArgs {
  /** A filled buffer file copied to `path` first; without it `path` is used as it is. */
  template?: string;
  path: string;
  url: string;
  gateway: string;
  batchSize: number;
  maxInFlight: number;
  lastSeq: number;
  timeoutMs: number;
}

/**
 * Runs createUplink over a filled buffer until every reading up to `lastSeq` is acknowledged.
 * Times are wallNow() in this process: `startedAt` when start() was called, `firstReadAt` when
 * the uplink first read a range to publish, `drainedAt` when the last PubAck was applied.
 */
async function drain(a: DrainArgs) {
  if (a.template) copyFileSync(a.template, a.path);
  const buffer = openBuffer({ path: a.path });
  let firstReadAt: number | undefined;
  let readMs = 0;
  let markMs = 0;
  let reads = 0;
  let drainedAt: (t: number) => void = () => {};
  const drained = new Promise<number>((resolve) => {
    drainedAt = resolve;
  });
  // Observe the uplink through the buffer it is given: reads (what it is about to publish) and
  // markSent (called after each PubAck, in order), instead of polling, which would steal the thread.
  const observed: ReadingBuffer = {
    ...buffer,
    readRun(after, limit, through) {
      const t = performance.now();
      const at = wallNow();
      const run = buffer.readRun(after, limit, through);
      readMs += performance.now() - t;
      if (run) {
        firstReadAt ??= at;
        reads += 1;
      }
      return run;
    },
    markSent(first, last) {
      const t = performance.now();
      buffer.markSent(first, last);
      markMs += performance.now() - t;
      if (last >= a.lastSeq) drainedAt(wallNow());
    },
  };
  const uplink = createUplink({
    gateway: a.gateway,
    servers: [a.url],
    buffer: observed,
    batchSize: a.batchSize,
    maxInFlight: a.maxInFlight,
    log,
  });
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const startedAt = wallNow();
  uplink.start();
  let timer: NodeJS.Timeout | undefined;
  try {
    const end = await Promise.race([
      drained,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const s = uplink.status();
          reject(
            new Error(
              `uplink drain stuck at seq ${s.lastAckSeq}/${a.lastSeq} after ${a.timeoutMs} ms` +
                (s.lastError ? ` (${s.lastError})` : ""),
            ),
          );
        }, a.timeoutMs);
      }),
    ]);
    const usage = cpuSince(cpu0, elu0);
    const { backlog } = buffer.stats();
    if (backlog !== 0) throw new Error(`uplink finished with a backlog of ${backlog}`);
    return {
      startedAt,
      firstReadAt: firstReadAt ?? startedAt,
      drainedAt: end,
      readMs,
      markMs,
      reads,
      ...usage,
    };
  } finally {
    clearTimeout(timer);
    await uplink.stop();
    buffer.close();
    rmSync(a.path, { force: true });
  }
}

const encoded = new Map<string, ReturnType<typeof encodePayloads>>();

/** The raw limit: the same readings, encoded beforehand in the same batches, published by rawPublish. */
async function raw(a: { url: string; n: number; batchSize: number; gateway: string; inFlight: number }) {
  const key = `${a.n}/${a.batchSize}/${a.gateway}`;
  let payloads = encoded.get(key);
  if (!payloads) {
    payloads = encodePayloads(sequenced(makeReadings(a.n)), a.batchSize, a.gateway);
    encoded.set(key, payloads);
  }
  const nc = await connect({ servers: a.url, name: "tidegate-bench-raw" });
  try {
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    const ms = await rawPublish(nc, payloads, `raw${a.inFlight}:`, {
      gateway: a.gateway,
      inFlight: a.inFlight,
    });
    const bytes = payloads.reduce((sum, p) => sum + p.data.length, 0);
    return { ms, bytes, ...cpuSince(cpu0, elu0) };
  } finally {
    await nc.close();
  }
}

/** Where the uplink's own CPU goes per batch, without the network: buffer reads, then encoding. */
function profile(a: { template: string; path: string; batchSize: number; gateway: string }) {
  copyFileSync(a.template, a.path);
  const buffer = openBuffer({ path: a.path });
  try {
    const limit = deadline("uplink profile", 30_000);
    const runs: BatchColumns[] = [];
    let t = performance.now();
    for (let after = 0; ; ) {
      const run = buffer.readRun(after, a.batchSize);
      if (!run) break;
      runs.push(run);
      after = run.last;
      limit.check();
    }
    const readMs = performance.now() - t;
    t = performance.now();
    let bytes = 0;
    for (const r of runs) bytes += encodeBatchColumns(a.gateway, r).length;
    const encodeMs = performance.now() - t;
    t = performance.now();
    for (const r of runs) buffer.markSent(r.first, r.last);
    const markMs = performance.now() - t;
    const readings = runs.reduce((n, r) => n + r.last - r.first + 1, 0);
    return { readings, batches: runs.length, readMs, encodeMs, markMs, bytes };
  } finally {
    buffer.close();
    rmSync(a.path, { force: true });
  }
}

interface LiveArgs {
  path: string;
  url: string;
  gateway: string;
  ratePerS: number;
  seconds: number;
  commitIntervalMs: number;
  tickMs: number;
  /** The uplink's lingerMs; its default (100) when left out. */
  lingerMs?: number;
  timeoutMs: number;
}

/**
 * Appends readings at `ratePerS` (a slice every `tickMs`) to a fresh buffer with the real uplink
 * running, then waits until everything is acknowledged. Returns when each reading was appended
 * (index = seq - 1, the buffer starts empty) and when each commit ran ([lastSeq, time]).
 */
async function live(a: LiveArgs) {
  const buffer = openBuffer({ path: a.path, commitIntervalMs: a.commitIntervalMs });
  const commits: [number, number][] = [];
  buffer.onCommit((lastSeq) => commits.push([lastSeq, wallNow()]));
  const uplink = createUplink({ gateway: a.gateway, servers: [a.url], buffer, lingerMs: a.lingerMs, log });
  uplink.start();
  const total = Math.round(a.ratePerS * a.seconds);
  const appendedAt: number[] = [];
  try {
    const limit = deadline("live appends", a.timeoutMs);
    while (!uplink.status().connected) {
      limit.check();
      await sleep(10);
    }
    const start = performance.now();
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    while (appendedAt.length < total) {
      const due = Math.min(total, Math.floor(((performance.now() - start) * a.ratePerS) / 1000));
      if (due > appendedAt.length) {
        const now = Date.now();
        const slice = makeReadings(due - appendedAt.length, appendedAt.length).map((r) => ({
          ...r,
          ts: now,
        }));
        buffer.append(slice);
        const at = wallNow();
        for (let i = 0; i < slice.length; i++) appendedAt.push(at);
      }
      limit.check();
      await sleep(a.tickMs);
    }
    const appendMs = performance.now() - start;
    while (buffer.stats().lastAckedSeq < total) {
      limit.check();
      await sleep(5);
    }
    const s = buffer.stats();
    if (s.lastSeq !== total) throw new Error(`buffer committed ${s.lastSeq} readings, expected ${total}`);
    return { appendedAt, commits, appendMs, dropped: s.dropped, ...cpuSince(cpu0, elu0) };
  } finally {
    await uplink.stop();
    buffer.close();
  }
}

serve({ fill, drain, raw, profile, live });
