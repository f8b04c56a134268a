import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startDialCounter } from "../../test/e2e/helpers/dial-counter.js";
import { type FleetLedger, fleetLedger } from "../../test/e2e/helpers/fleet-ledger.js";
import { type NatsServer, startNatsServer } from "../../test/e2e/helpers/nats.js";
import { type Restartable, startCollector } from "../../test/e2e/helpers/tidegate.js";
import { scoped } from "../lib/cleanup.js";
import {
  agentConnectionStarts,
  gatewaysLiveSince,
  histogramBuckets,
  histogramQuantile,
  metricSamples,
  peakOverMean,
  readMetrics,
  sampleLatency,
  storedTotal,
} from "../lib/collector-probe.js";
import { deadline, type Emit, type Remark } from "../lib/figure.js";
import { cpuMs, findPid } from "../lib/proc.js";
import { type FleetWorkers, startFleetWorkers } from "../lib/virtual-fleet.js";
import { wallNow } from "../lib/worker.js";

export interface FleetBenchOptions {
  gateways: number;
  points: number;
  intervalMs: number;
  steadyS: number;
  outageS: number;
}

/**
 * 1,000 gateways at 1 Hz, 5 minutes steady, a 10-minute outage. The issue asks for 50 points a
 * gateway (50k readings/s); on the 2-core reference machine the generator, nats-server and the
 * collector share two cores, and that load saturates the collector at ~26k readings/s, 20 points
 * leave it at ~19k/s, short of what a backlog needs to drain behind live data (runs of
 * 2026-12-03, docs/scale.md). 10 points (10k/s) leave that headroom; `--fleet-points=50` runs
 * the issue's shape.
 */
export const FLEET_DEFAULTS: FleetBenchOptions = {
  gateways: 1000,
  points: 10,
  intervalMs: 1000,
  steadyS: 300,
  outageS: 600,
};

const WARMUP_S = 20;
const HEARTBEAT_ONLY_S = 30;
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

interface Rig {
  nats: NatsServer;
  natsPid: number;
  collector: Restartable;
  collectorPid: number;
  dbPath: string;
  fleet: FleetWorkers;
}

/** CPU used between two calls, per process, in ms. */
function cpuMeter(pids: Record<string, number>) {
  const read = () => Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuMs(pid) ?? 0]));
  let last = read();
  return () => {
    const now = read();
    const used = Object.fromEntries(Object.keys(pids).map((k) => [k, (now[k] ?? 0) - (last[k] ?? 0)]));
    last = now;
    return used;
  };
}

/** Until every reading a gateway committed is in the store: the fleet stops reading first. */
export async function drainAndCount(fleet: FleetWorkers, dbPath: string, limitMs: number) {
  await fleet.pause();
  const limit = deadline("fleet drain", limitMs);
  let totals = await fleet.totals();
  while (totals.backlog > 0) {
    await sleep(1000);
    limit.check();
    totals = await fleet.totals();
  }
  while (storedTotal(dbPath) < totals.committed) {
    await sleep(1000);
    limit.check();
  }
  return fleetLedger(dbPath, await fleet.committed());
}

/** `<prefix>.lost` and `<prefix>.duplicated`: the fleet's ledger against the collector's chunks. */
export function emitLedger(emit: Emit, prefix: string, ledger: FleetLedger, after: string) {
  emit({
    name: `${prefix}.lost`,
    value: ledger.lost,
    unit: "readings",
    budget: { max: 0 },
    note: `every reading the ${ledger.gateways} gateways committed (${ledger.committed.toLocaleString("en-US")}) against the readings decoded from the collector's chunks and head ${after}: ${ledger.lost} missing${ledger.off.length ? `; ${ledger.off.join("; ")}` : ""}`,
  });
  emit({
    name: `${prefix}.duplicated`,
    value: ledger.duplicated + ledger.beyond,
    unit: "readings",
    budget: { max: 0 },
    note: "seqs stored more than once (or past what a gateway committed), counted the same way",
  });
}

async function steady(rig: Rig, o: FleetBenchOptions, emit: Emit) {
  const cpu = cpuMeter({
    collector: rig.collectorPid,
    nats: rig.natsPid,
    ...Object.fromEntries(rig.fleet.pids.map((p, i) => [`fleet${i}`, p])),
  });
  const metricsBefore = await readMetrics(rig.collector.url);
  const storedBefore = storedTotal(rig.dbPath);
  const api = sampleLatency(rig.collector.url, "/api/v1/gateways?limit=100", 250);
  const apiAll = sampleLatency(rig.collector.url, "/api/v1/gateways", 2000);
  const t0 = performance.now();
  await sleep(o.steadyS * 1000);
  const ms = performance.now() - t0;
  const used = cpu();
  const [page, whole] = [await api.stop(), await apiAll.stop()];
  const metricsAfter = await readMetrics(rig.collector.url);
  const stored = storedTotal(rig.dbPath) - storedBefore;
  const commitP99 = histogramQuantile(
    histogramBuckets(metricsBefore, "tidegate_store_commit_seconds"),
    histogramBuckets(metricsAfter, "tidegate_store_commit_seconds"),
    0.99,
  );
  const commits =
    (metricSamples(metricsAfter, "tidegate_store_commit_seconds_count").get("") ?? 0) -
    (metricSamples(metricsBefore, "tidegate_store_commit_seconds_count").get("") ?? 0);
  const perS = stored / (ms / 1000);
  // prom-client resets its event-loop histogram at each scrape: these cover the window.
  const loopMs = (name: string) => round((metricSamples(metricsAfter, name).get("") ?? Number.NaN) * 1000);
  const fleetCpu = Object.entries(used)
    .filter(([k]) => k.startsWith("fleet"))
    .reduce((s, [, v]) => s + v, 0);
  const what = `${o.gateways} virtual gateways × ${o.points} points every ${o.intervalMs} ms (agent/src/fleet: the agent's buffer, uplink and heartbeat, one buffer file and NATS connection each, in ${rig.fleet.pids.length} worker processes at nice 10, so they take the CPU the collector and NATS leave) into nats-server (one node) and the built collector (SQLite store), ${o.steadyS} s after ${WARMUP_S} s warm-up`;
  emit({
    name: "fleet.steady.readings_per_s",
    value: Math.round(perS),
    unit: "readings/s",
    note: `${what}: readings the collector stored per second (target ${(o.gateways * o.points * 1000) / o.intervalMs}/s); the generator used ${Math.round((fleetCpu / ms) * 100)} % of a core`,
  });
  emit({
    name: "fleet.collector.cpu_ms_per_1k_readings",
    value: round((used.collector ?? 0) / (stored / 1000), 2),
    unit: "ms",
    note: `collector CPU (/proc/<pid>/stat) over the same window per 1,000 readings stored; ${Math.round(((used.collector ?? 0) / ms) * 100)} % of a core in all, ${commits} store commits`,
  });
  emit({
    name: "fleet.collector.commit_p99",
    value: round((commitP99 ?? Number.NaN) * 1000),
    unit: "ms",
    note: "99th percentile of tidegate_store_commit_seconds (one store transaction: the batches of one event-loop turn) over the window, interpolated in its histogram bucket",
  });
  emit({
    name: "fleet.api.gateways_p99",
    value: round(page.p99),
    unit: "ms",
    budget: { max: 50 },
    note: `GET /api/v1/gateways?limit=100 every 250 ms over HTTP during the window (${page.count} calls, ${page.failures} failed, p50 ${round(page.p50)} ms); the whole list of ${o.gateways} (no limit) every 2 s: p50 ${round(whole.p50)} ms, p99 ${round(whole.p99)} ms. The collector's event loop (nodejs_eventloop_lag_*) lagged ${loopMs("nodejs_eventloop_lag_p99_seconds")} ms at p99 and ${loopMs("nodejs_eventloop_lag_max_seconds")} ms at most over the window`,
  });
  emit({
    name: "fleet.nats.cpu_pct",
    value: Math.round(((used.nats ?? 0) / ms) * 100),
    unit: "% of a core",
    note: `nats-server (one node, JetStream file store) over the same window, at ${Math.round((o.gateways * 1000) / 200)} publishes/s`,
  });
}

async function outage(rig: Rig, o: FleetBenchOptions, emit: Emit, remark: Remark) {
  const before = await rig.fleet.totals();
  await rig.nats.stop();
  // The address keeps answering (a restarting pod, a load balancer): every dial is counted.
  const counter = await startDialCounter(rig.nats.port);
  const downAt = Date.now();
  await rig.fleet.takeLag();
  await sleep(o.outageS * 1000);
  await counter.close();
  const lag = await rig.fleet.takeLag();
  const buffered = (await rig.fleet.totals()).backlog;
  await rig.fleet.takeConnects();
  await rig.nats.start();
  const backAt = wallNow();
  const whole = peakOverMean(counter.dials, downAt, downAt + o.outageS * 1000);
  const capped = peakOverMean(counter.dials, downAt + 60_000, downAt + o.outageS * 1000);
  emit({
    name: "fleet.outage.dials_peak_ratio",
    value: round(whole.ratio, 2),
    unit: "× mean",
    budget: { max: 2 },
    note: `NATS down ${o.outageS} s under ${o.gateways} gateways, its address answered by a counter that accepts and drops each dial: the busiest second held ${whole.peak} dials against a mean of ${round(whole.mean)}/s (${counter.dials.length} in all); each gateway held its first redial within the window the collector announced for the fleet (protocol/fleet-pacing.ts) and stepped on from it. The generator's event loop ran its timers up to ${Math.round(lag.max)} ms late (p99 ${Math.round(lag.p99)} ms) meanwhile: redials due in a stall go out together when it ends, which gateways on machines of their own would not do`,
  });
  emit({
    name: "fleet.outage.dials_peak_ratio.after_1min",
    value: round(capped.ratio, 2),
    unit: "× mean",
    budget: { max: 2 },
    note: `the same from the outage's second minute on, when every gateway's backoff is at its 30 s cap: busiest second ${capped.peak} dials, mean ${round(capped.mean)}/s`,
  });

  // A 10-minute backlog drains at what the collector has beyond live traffic: minutes.
  const limit = deadline("fleet reconnect", 1_200_000);
  let allConnectedAt: number | undefined;
  let liveAt: number | undefined;
  let drainedAt: number | undefined;
  const connects: number[] = [];
  const liveBound = o.gateways * o.points * 2;
  while (!(allConnectedAt && liveAt && drainedAt)) {
    await sleep(1000);
    limit.check();
    connects.push(...(await rig.fleet.takeConnects()));
    const t = await rig.fleet.totals();
    const now = wallNow();
    if (!allConnectedAt && t.connected === o.gateways) allConnectedAt = now;
    if (!liveAt && gatewaysLiveSince(rig.dbPath, Math.floor(backAt)) === o.gateways) liveAt = now;
    // Drained: what is left is one or two polls a gateway, the live data in flight.
    if (!drainedAt && t.backlog <= liveBound) drainedAt = now;
  }
  // Connection attempts at the server after it came back, on its own clock; each is a success now.
  const starts = rig.nats.monitorUrl ? await agentConnectionStarts(rig.nats.monitorUrl) : connects;
  const back = starts.filter((t) => t >= backAt - 1000);
  const spread = peakOverMean(back);
  emit({
    name: "fleet.outage.reconnect_peak_ratio",
    value: round(spread.peak / whole.mean, 2),
    unit: "× mean",
    budget: { max: 2 },
    note: `after NATS came back: the busiest second held ${spread.peak} of the ${back.length} reconnects (as nats-server's /connz dates them), against the ${round(whole.mean)} dials/s the fleet averaged during the outage; they spread over ${spread.seconds} s (${round(spread.ratio, 2)}× their own mean: each gateway's next dial comes within its 30 s step, so they thin out towards the end); all connected ${round((allConnectedAt - backAt) / 1000)} s after the server was back (the generator's own view: busiest second ${peakOverMean(connects).peak})`,
  });
  emit({
    name: "fleet.outage.live_after_s",
    value: round((liveAt - backAt) / 1000),
    unit: "s",
    note: "from NATS back until every gateway had a reading stamped after that moment in the store (live data goes first, on its own lane, while the backlog drains)",
  });
  emit({
    name: "fleet.outage.drain_s",
    value: round((drainedAt - backAt) / 1000),
    unit: "s",
    note: `from NATS back until every backlog was drained (${buffered.toLocaleString("en-US")} readings buffered during the outage, ${before.backlog} before it) while live data went on`,
  });
  remark(
    `Fleet outage: ${o.gateways} gateways buffered ${buffered.toLocaleString("en-US")} readings during ${o.outageS} s without NATS; after it came back they were all connected in ${round((allConnectedAt - backAt) / 1000)} s, live in ${round((liveAt - backAt) / 1000)} s and drained in ${round((drainedAt - backAt) / 1000)} s.`,
  );
}

async function heartbeatsOnly(rig: Rig, o: FleetBenchOptions, emit: Emit) {
  // The fleet is paused and drained: what the collector does now is heartbeats (and idling).
  const cpu = cpuMeter({ collector: rig.collectorPid });
  await sleep(HEARTBEAT_ONLY_S * 1000);
  const beats = (o.gateways * HEARTBEAT_ONLY_S) / 5;
  emit({
    name: "fleet.collector.heartbeat_cpu_us",
    value: round(((cpu().collector ?? 0) * 1000) / beats),
    unit: "µs",
    note: `collector CPU per heartbeat: ${o.gateways} gateways beating every 5 s (${o.gateways / 5}/s) with no readings for ${HEARTBEAT_ONLY_S} s, idle work included`,
  });
}

/** The `fleet` group: steady load, a whole-fleet NATS outage, heartbeats alone; then the ledger. */
export async function fleetFigures(emit: Emit, remark: Remark, o: FleetBenchOptions): Promise<void> {
  const nats = await startNatsServer({ monitor: true });
  await scoped(
    nats,
    () => nats.dispose(),
    async () => {
      // BENCH_COLLECTOR_NODE_FLAGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles or
      // tunes the collector alone, not the generator that shares its machine.
      const collector = await startCollector(nats.url, {
        env: { TIDEGATE_LOG_LEVEL: "warn" },
        nodeFlags: process.env.BENCH_COLLECTOR_NODE_FLAGS?.split(" ").filter(Boolean),
      });
      await scoped(
        collector,
        () => collector.stop(),
        async () => {
          const fleet = await startFleetWorkers({
            servers: [nats.url],
            count: o.gateways,
            points: o.points,
            intervalMs: o.intervalMs,
          });
          await scoped(
            fleet,
            () => fleet.dispose(),
            async () => {
              const rig: Rig = {
                nats,
                natsPid: findPid(["nats-server", String(nats.port)]) ?? 0,
                collector,
                collectorPid: collector.process.child.pid as number,
                dbPath: join(collector.dir, "collector.db"),
                fleet,
              };
              await sleep(WARMUP_S * 1000);
              await steady(rig, o, emit);
              await outage(rig, o, emit, remark);
              const ledger = await drainAndCount(rig.fleet, rig.dbPath, 900_000);
              emitLedger(emit, "fleet.outage", ledger, "after steady load and the outage");
              await heartbeatsOnly(rig, o, emit);
            },
          );
        },
      );
    },
  );
}
