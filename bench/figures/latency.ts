import { join } from "node:path";
import type { Emit, Remark } from "../lib/figure.js";
import { purgeTelemetry } from "../lib/nats.js";
import { type Pipeline, withPipeline } from "../lib/pipeline.js";
import { percentile } from "../lib/stats.js";

const RATE_PER_S = 1000;
const SECONDS = 20;
/** The lingerMs 100 comparison runs shorter: it only has to show the difference. */
const LINGER_SECONDS = 10;
const COMMIT_INTERVAL_MS = 20;
/** How often the bench appends a slice of readings (RATE_PER_S * TICK_MS / 1000 per slice). */
const TICK_MS = 10;
/** The first second is left out of the percentiles: connection set-up and JIT warm-up, not steady state. */
const WARMUP_READINGS = RATE_PER_S;

interface Live {
  appendedAt: number[];
  commits: [number, number][];
  appendMs: number;
  dropped: Record<string, number>;
  cpuMs: number;
  elu: number;
}

interface Latencies {
  fromCommit: number[];
  fromAppend: number[];
  batches: number;
  agentElu: number;
}

const ms1 = (v: number) => Math.round(v * 10) / 10;

/**
 * Appends at RATE_PER_S for `seconds` in the agent-side process (real buffer and uplink) while the
 * collector-side process ingests; per reading, commit → stored and append → stored, on one clock.
 */
async function measure(
  p: Required<Pipeline>,
  seconds: number,
  lingerMs: number | undefined,
): Promise<Latencies> {
  const total = RATE_PER_S * seconds;
  const tag = lingerMs === undefined ? "default" : `linger${lingerMs}`;
  await purgeTelemetry(p.nc);
  await p.collector.call("start", { path: join(p.dir, `store-${tag}.db`), url: p.url, record: true });
  let stored: { log: [number, number, number][] };
  let live: Live;
  try {
    live = await p.agent.call<Live>(
      "live",
      {
        path: join(p.dir, `buffer-${tag}.db`),
        url: p.url,
        gateway: `lat-${tag}`,
        ratePerS: RATE_PER_S,
        seconds,
        commitIntervalMs: COMMIT_INTERVAL_MS,
        tickMs: TICK_MS,
        lingerMs,
        timeoutMs: (seconds + 30) * 1000,
      },
      (seconds + 40) * 1000,
    );
    await p.collector.call("waitStored", { n: total, timeoutMs: 30_000 }, 40_000);
  } finally {
    stored = await p.collector.call<{ log: [number, number, number][] }>("stop");
  }

  // Per seq: when its commit ran (agent clock) and when the collector stored it (collector clock),
  // both moved onto the bench's clock.
  const committedAt = new Float64Array(total + 1);
  let seq = 1;
  for (const [lastSeq, at] of live.commits)
    for (; seq <= lastSeq && seq <= total; seq++) committedAt[seq] = at - p.agentOffset;
  if (seq <= total) throw new Error(`commits cover seq 1..${seq - 1}, expected 1..${total}`);
  const storedAt = new Float64Array(total + 1);
  for (const [first, last, at] of stored.log)
    for (let s = first; s <= last && s <= total; s++)
      if (storedAt[s] === 0) storedAt[s] = at - p.collectorOffset;
  const fromCommit: number[] = [];
  const fromAppend: number[] = [];
  for (let s = WARMUP_READINGS + 1; s <= total; s++) {
    if (storedAt[s] === 0) throw new Error(`seq ${s} was never stored`);
    fromCommit.push((storedAt[s] as number) - (committedAt[s] as number));
    fromAppend.push((storedAt[s] as number) - ((live.appendedAt[s - 1] as number) - p.agentOffset));
  }
  return { fromCommit, fromAppend, batches: stored.log.length, agentElu: live.elu };
}

/**
 * latency.commit_to_store: readings appended at 1,000/s to the agent buffer while the real uplink
 * runs (agent-side process) and the real startIngest stores them (collector-side process); per
 * reading, from the buffer commit that gave it its seq until the collector's insertBatch
 * transaction holding it committed. Then the same with the uplink's lingerMs at 100 (the old default).
 */
export async function latencyFigures(emit: Emit, remark: Remark): Promise<void> {
  await withPipeline("latency", { collector: true }, async (p) => {
    const d = await measure(p, SECONDS, undefined);
    const z = await measure(p, LINGER_SECONDS, 100);
    const setup = (seconds: number, batches: number) =>
      `${(RATE_PER_S * seconds).toLocaleString("en-US")} readings appended at ${RATE_PER_S}/s ` +
      `(${RATE_PER_S * (TICK_MS / 1000)} every ${TICK_MS} ms) for ${seconds} s, buffer commitIntervalMs ` +
      `${COMMIT_INTERVAL_MS}, collector startIngest, agent side and collector side in separate processes; ` +
      `the first ${WARMUP_READINGS} readings (1 s) left out; ${batches} batches stored`;
    const p50 = ms1(percentile(d.fromCommit, 50));
    const p99 = ms1(percentile(d.fromCommit, 99));
    emit({
      name: "latency.commit_to_store.p50",
      value: p50,
      unit: "ms",
      note:
        "median, per reading, from the buffer commit that gave it its seq (onCommit) until the commit of the " +
        `collector's insertBatch transaction holding it; uplink defaults (batchSize 500, lingerMs 0, maxInFlight 8); ` +
        setup(SECONDS, d.batches),
    });
    emit({
      name: "latency.commit_to_store.p99",
      value: p99,
      unit: "ms",
      budget: { max: 50 },
      note:
        "99th percentile of the same; counted from append() instead, which adds the wait for the next commit " +
        `(at most ${COMMIT_INTERVAL_MS} ms): p50 ${ms1(percentile(d.fromAppend, 50))} ms, p99 ` +
        `${ms1(percentile(d.fromAppend, 99))} ms, max ${ms1(Math.max(...d.fromAppend))} ms`,
    });
    const z99 = ms1(percentile(z.fromCommit, 99));
    emit({
      name: "latency.commit_to_store.p99.linger100",
      value: z99,
      unit: "ms",
      budget: { max: 50 },
      note:
        `as latency.commit_to_store.p99 with the uplink's lingerMs 100 (p50 ${ms1(percentile(z.fromCommit, 50))} ms); ` +
        setup(LINGER_SECONDS, z.batches),
    });
    remark(
      `latency.commit_to_store: with the default lingerMs (0) the median is ${p50} ms at a ${COMMIT_INTERVAL_MS} ms ` +
        `commit interval, and ${ms1(percentile(z.fromCommit, 50))} ms with lingerMs 100 (p99 ${p99} ms against ` +
        `${z99} ms). A linger makes each commit's readings wait for the next commit (or the whole lingerMs) ` +
        "before they are published; the commit interval already groups readings, so the default is 0.",
    );
  });
}
