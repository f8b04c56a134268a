import { join } from "node:path";
import { type Emit, perSecond, type Remark } from "../lib/figure.js";
import { purgeTelemetry } from "../lib/nats.js";
import { type Drained, type Pipeline, withPipeline } from "../lib/pipeline.js";
import { cpuMs } from "../lib/proc.js";

/** Readings in the headline run; the variants run on fewer so all six fit the time. */
const N = 500_000;
const VARIANT_N = 200_000;
/** A first pass (not reported) so no variant pays for the workers' JIT warm-up. */
const WARMUP_N = 20_000;
const BATCH_SIZES = [500, 2000] as const;
const IN_FLIGHT = [8, 32, 64] as const;
/** No single run may take longer than this (500k readings at 10k/s would still finish). */
const RUN_LIMIT_MS = 60_000;
/** Readings the per-stage profile pushes through each side. */
const PROFILE_N = 100_000;

interface Stored {
  storedAt: number;
  inserted: number;
  insertMs: number;
  batches: number;
  duplicates: number;
  cpuMs: number;
  elu: number;
}
interface Raw {
  ms: number;
  bytes: number;
  cpuMs: number;
  elu: number;
}
interface AgentProfile {
  readings: number;
  readMs: number;
  encodeMs: number;
  markMs: number;
  bytes: number;
}
interface CollectorProfile {
  decodeMs: number;
  insertMs: number;
  insertCpuMs: number;
  written: number;
  bytes: number;
}

interface Run {
  batchSize: number;
  maxInFlight: number;
  n: number;
  /** First read for publishing (agent process) to the commit that stored the last reading (collector process). */
  ms: number;
  rate: number;
  /** Until the last PubAck reached the agent. */
  ackedMs: number;
  drained: Drained;
  stored: Stored;
  natsCpuMs: number | undefined;
}

/** One pass: buffer copied from `template` → createUplink → JetStream → startIngest → SQLite. */
async function runOnce(
  p: Required<Pipeline>,
  template: string,
  n: number,
  batchSize: number,
  maxInFlight: number,
): Promise<Run> {
  const tag = `b${batchSize}-f${maxInFlight}-n${n}`;
  // A gateway id as long as a real one ("plant-1-line-2"), its own per pass: own subject and
  // Nats-Msg-Ids, so no pass is deduplicated against another.
  const gateway = `gw-${batchSize}-${maxInFlight}-${n / 1000}k`;
  await purgeTelemetry(p.nc);
  await p.collector.call("start", { path: join(p.dir, `store-${tag}.db`), url: p.url });
  try {
    const nats0 = p.natsPid ? cpuMs(p.natsPid) : undefined;
    const drained = await p.agent.call<Drained>(
      "drain",
      {
        template,
        path: join(p.dir, `buffer-${tag}.db`),
        url: p.url,
        gateway,
        batchSize,
        maxInFlight,
        lastSeq: n,
        timeoutMs: RUN_LIMIT_MS,
      },
      RUN_LIMIT_MS + 10_000,
    );
    const stored = await p.collector.call<Stored>(
      "waitStored",
      { n, timeoutMs: RUN_LIMIT_MS },
      RUN_LIMIT_MS + 10_000,
    );
    const nats1 = p.natsPid ? cpuMs(p.natsPid) : undefined;
    if (stored.inserted !== n || stored.duplicates !== 0)
      throw new Error(
        `${tag}: stored ${stored.inserted} readings and ${stored.duplicates} duplicates, expected ${n} and 0`,
      );
    const first = drained.firstReadAt - p.agentOffset;
    const ms = stored.storedAt - p.collectorOffset - first;
    const run: Run = {
      batchSize,
      maxInFlight,
      n,
      ms,
      rate: perSecond(n, ms),
      ackedMs: drained.drainedAt - p.agentOffset - first,
      drained,
      stored,
      natsCpuMs: nats0 !== undefined && nats1 !== undefined ? nats1 - nats0 : undefined,
    };
    process.stderr.write(`bench: e2e ${tag}: ${run.rate} readings/s (${describeRun(run)})\n`);
    return run;
  } finally {
    await p.collector.call("stop");
  }
}

const pct = (part: number, whole: number) => `${Math.round((part / whole) * 100)} %`;
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function describeRun(r: Run): string {
  const nats = r.natsCpuMs === undefined ? "?" : pct(r.natsCpuMs, r.ms);
  return (
    `all acked at the agent after ${sec(r.ackedMs)}, all stored after ${sec(r.ms)}; CPU used, in % of one core: ` +
    `agent side ${pct(r.drained.cpuMs, r.ackedMs)} until acked, collector side ${pct(r.stored.cpuMs, r.ms)}, ` +
    `nats-server ${nats}; collector event loop busy ${Math.round(r.stored.elu * 100)} % of the time, ` +
    `${pct(r.stored.insertMs, r.ms)} in insertBatch`
  );
}

/**
 * e2e.throughput: a buffer of N readings through createUplink, a real nats-server with JetStream,
 * startIngest and the collector's SQLite store, with the agent side and the collector side each in
 * a process of its own. Six variants (batch size × maxInFlight) on fewer readings pick the settings
 * for the headline run; then each side's per-batch work is timed alone to say where the time goes.
 */
export async function e2eFigures(emit: Emit, remark: Remark): Promise<void> {
  await withPipeline("e2e", { collector: true }, async (p) => {
    const warmTemplate = join(p.dir, "template-warmup.db");
    const variantTemplate = join(p.dir, "template-variants.db");
    const template = join(p.dir, "template.db");
    await p.agent.call("fill", { path: warmTemplate, n: WARMUP_N });
    await p.agent.call("fill", { path: variantTemplate, n: VARIANT_N });
    await p.agent.call("fill", { path: template, n: N }, 120_000);
    await runOnce(p, warmTemplate, WARMUP_N, 500, 8);

    const runs: Run[] = [];
    for (const batchSize of BATCH_SIZES)
      for (const maxInFlight of IN_FLIGHT)
        runs.push(await runOnce(p, variantTemplate, VARIANT_N, batchSize, maxInFlight));
    const best = runs.reduce((a, b) => (b.rate > a.rate ? b : a));
    const spread = BATCH_SIZES.map((batchSize) => {
      const rates = runs.filter((r) => r.batchSize === batchSize).map((r) => r.rate);
      return `batchSize ${batchSize}: ${Math.round(Math.min(...rates) / 1000)}k to ${Math.round(Math.max(...rates) / 1000)}k`;
    });
    for (const r of runs) {
      emit({
        name: `e2e.throughput.batch${r.batchSize}.inflight${r.maxInFlight}`,
        value: r.rate,
        unit: "readings/s",
        note:
          `variant: ${r.n / 1000}k readings with uplink batchSize ${r.batchSize} and maxInFlight ${r.maxInFlight}, ` +
          `otherwise as e2e.throughput${r === best ? " (the fastest, so e2e.throughput uses it)" : ""}; ${describeRun(r)}`,
      });
    }

    const head = await runOnce(p, template, N, best.batchSize, best.maxInFlight);

    // The raw limit: the same readings, encoded beforehand in batches of that size, published from
    // the agent process with as many PubAcks outstanding, no consumer running.
    await purgeTelemetry(p.nc);
    const raw = await p.agent.call<Raw>("raw", {
      url: p.url,
      n: N,
      batchSize: head.batchSize,
      gateway: "gw-raw",
      inFlight: head.maxInFlight,
    });
    const rawRate = perSecond(N, raw.ms);
    emit({
      name: "e2e.throughput",
      value: head.rate,
      unit: "readings/s",
      baseline: rawRate,
      budget: { min: 300_000 },
      note:
        `${N / 1000}k readings from a filled agent buffer through createUplink (batchSize ${head.batchSize}, ` +
        `maxInFlight ${head.maxInFlight}: the fastest variant) to nats-server (JetStream, file storage) and ` +
        "startIngest into the collector's SQLite store, with the agent side and the collector side in separate Node " +
        "processes (bench/workers); timed from the uplink's first read for publishing until the collector committed " +
        `the last reading (the processes' clocks aligned by IPC round trips); ${describeRun(head)}; baseline: ` +
        `the same readings pre-encoded in batches of ${head.batchSize} and published from the agent process with ` +
        `${head.maxInFlight} PubAcks outstanding, no consumer running`,
    });

    // Where the time goes: each side's per-batch work alone, one thread, no network.
    await purgeTelemetry(p.nc);
    const up = await p.agent.call<AgentProfile>("profile", {
      template: variantTemplate,
      path: join(p.dir, "profile-buffer.db"),
      batchSize: head.batchSize,
      gateway: "gw-profile",
    });
    const col = await p.collector.call<CollectorProfile>("profile", {
      path: join(p.dir, "profile-store.db"),
      n: PROFILE_N,
      batchSize: head.batchSize,
      gateway: "gw-profile",
    });
    const us = (ms: number, n: number) => `${((ms * 1000) / n).toFixed(1)} µs`;
    const agentUs = ((up.readMs + up.encodeMs + up.markMs) * 1000) / up.readings;
    const collectorUs = ((col.decodeMs + col.insertMs) * 1000) / PROFILE_N;
    const lagMs = head.ms - head.ackedMs;
    const limit =
      lagMs > 0.2 * head.ms
        ? `the collector side limits it: the agent side had every batch acked ${sec(lagMs)} before the collector ` +
          `had stored the last one, with the collector's event loop busy ${Math.round(head.stored.elu * 100)} % ` +
          `of the time (${pct(head.stored.insertMs, head.ms)} inside insertBatch) while its process used ` +
          `${pct(head.stored.cpuMs, head.ms)} of a core: the rest of the busy time is waiting for the disk and ` +
          "for a CPU (agent side, collector side and nats-server share 2 cores)"
        : `the agent side and the collector side finish close together (last PubAck ${sec(head.ackedMs)}, last ` +
          `store ${sec(head.ms)}), so neither alone limits it`;
    remark(
      `e2e.throughput reaches ${Math.round((head.rate / 300_000) * 100)} % of the 300k readings/s goal; ${limit}. ` +
        `Variants, readings/s over maxInFlight ${IN_FLIGHT.join("/")}: ${spread.join("; ")}; the fastest was ` +
        `batchSize ${best.batchSize} with maxInFlight ${best.maxInFlight}. ` +
        `Per reading, each side alone on one thread without the network (batches of ${head.batchSize}): the agent ` +
        `side takes ${agentUs.toFixed(1)} µs (readRun ${us(up.readMs, up.readings)}, encodeBatchColumns ` +
        `${us(up.encodeMs, up.readings)}, markSent ${us(up.markMs, up.readings)}), about ` +
        `${Math.round(1000 / agentUs)}k readings/s; the collector side ${collectorUs.toFixed(1)} µs (decodeBatch ` +
        `${us(col.decodeMs, PROFILE_N)}, insertBatch ${us(col.insertMs, PROFILE_N)} of which ` +
        `${pct(col.insertCpuMs, col.insertMs)} on the CPU), about ${Math.round(1000 / collectorUs)}k readings/s. ` +
        `insertBatch writes ${Math.round(col.written / PROFILE_N).toLocaleString("en-US")} bytes per reading ` +
        `(WAL frames and checkpoints, /proc/self/io) for ${(col.bytes / PROFILE_N).toFixed(1)} bytes per reading on ` +
        "the wire: SQLite appends a whole page to the WAL for every page a transaction changes (and copies it " +
        "again at the checkpoint); a commit writes one chunk row per series, so the pages it changes are the end " +
        "of the chunks table plus about one page per series in its index and in each rollup table, which is also " +
        `why batches of ${BATCH_SIZES[1]} go faster than batches of ${BATCH_SIZES[0]}. ` +
        "nats-server is not the limit: it took the same batches at " +
        `${Math.round(rawRate / 1000)}k readings/s and used ${head.natsCpuMs === undefined ? "?" : pct(head.natsCpuMs, head.ms)} ` +
        "of a core during the headline run.",
    );
  });
}
