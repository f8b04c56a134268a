import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { TELEMETRY_STREAM } from "@tidegate/protocol";
import { type NatsCluster, startNatsCluster } from "../../test/e2e/helpers/nats-cluster.js";
import { startCollector } from "../../test/e2e/helpers/tidegate.js";
import { scoped } from "../lib/cleanup.js";
import { storedTotal } from "../lib/collector-probe.js";
import type { Emit, Remark } from "../lib/figure.js";
import { startFleetWorkers } from "../lib/virtual-fleet.js";
import { drainAndCount, emitLedger } from "./fleet.js";

export interface FleetClusterOptions {
  gateways: number;
  points: number;
}

/** A fleet a quarter of the issue's, so three nodes, the collector and the fleet fit two cores. */
export const FLEET_CLUSTER_DEFAULTS: FleetClusterOptions = { gateways: 250, points: 20 };

const WARMUP_S = 20;
/** How long ingest is watched after each kill: enough for an election and every reconnect. */
const WATCH_S = 45;
const SAMPLE_MS = 250;
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * The longest stretch, in ms, in which the collector's stored count did not grow, sampled every
 * SAMPLE_MS while `watchS` passes.
 */
async function longestStall(dbPath: string, watchS: number): Promise<number> {
  let last = storedTotal(dbPath);
  let since = performance.now();
  let longest = 0;
  const end = performance.now() + watchS * 1000;
  while (performance.now() < end) {
    await sleep(SAMPLE_MS);
    const now = storedTotal(dbPath);
    const t = performance.now();
    if (now > last) {
      longest = Math.max(longest, t - since);
      last = now;
      since = t;
    }
  }
  return Math.max(longest, performance.now() - since);
}

/** Kills the node leading the telemetry stream (or another one than `spare`); returns the pause and the victim. */
async function killLeader(cluster: NatsCluster, dbPath: string, spare?: string) {
  const leader = await cluster.streamLeader(TELEMETRY_STREAM);
  if (!leader) throw new Error(`fleet-cluster: no leader of ${TELEMETRY_STREAM}`);
  const victim = leader.name === spare ? cluster.nodes.find((n) => n.name !== spare) : leader;
  if (!victim) throw new Error("fleet-cluster: no node to kill");
  await victim.kill();
  const pauseMs = await longestStall(dbPath, WATCH_S);
  await victim.start();
  await cluster.waitReplicasCurrent(TELEMETRY_STREAM, 90_000);
  return { pauseMs, victim: victim.name, wasLeader: victim === leader };
}

/**
 * The `fleet-cluster` group: a virtual fleet on a three-node JetStream cluster (streams with three
 * replicas, every URL given to gateways and collector); the telemetry stream's leader is killed,
 * then the next leader, while the fleet sends. Ingest pause, then the ledger: lost and duplicated.
 */
export async function fleetClusterFigures(emit: Emit, remark: Remark, o: FleetClusterOptions): Promise<void> {
  const cluster = await startNatsCluster(3);
  await scoped(
    cluster,
    () => cluster.dispose(),
    async () => {
      const collector = await startCollector(cluster.urls.join(","), { env: { TIDEGATE_LOG_LEVEL: "warn" } });
      await scoped(
        collector,
        () => collector.stop(),
        async () => {
          const fleet = await startFleetWorkers({
            servers: cluster.urls,
            count: o.gateways,
            points: o.points,
            intervalMs: 1000,
          });
          await scoped(
            fleet,
            () => fleet.dispose(),
            async () => {
              const dbPath = join(collector.dir, "collector.db");
              await sleep(WARMUP_S * 1000);
              const first = await killLeader(cluster, dbPath);
              await sleep(5000);
              const second = await killLeader(cluster, dbPath, first.victim);
              const ledger = await drainAndCount(fleet, dbPath, 600_000);
              const what = `${o.gateways} virtual gateways × ${o.points} points at 1 Hz on a three-node JetStream cluster (three replicas), every URL given to gateways and collector`;
              emit({
                name: "fleet.cluster.ingest_pause_s",
                value: round(Math.max(first.pauseMs, second.pauseMs) / 1000),
                unit: "s",
                note: `${what}: the longest time the collector's stored count stood still (sampled every ${SAMPLE_MS} ms for ${WATCH_S} s) after the telemetry stream's leader ${first.victim} was SIGKILLed (${round(first.pauseMs / 1000)} s), then the next leader ${second.victim} (${round(second.pauseMs / 1000)} s)`,
              });
              emitLedger(emit, "fleet.cluster", ledger, "after both kills");
              remark(
                `Cluster: leader ${first.victim} killed (${first.wasLeader ? "the stream's leader" : "a follower"}), then ${second.victim}; ingest stood still ${round(first.pauseMs / 1000)} s and ${round(second.pauseMs / 1000)} s; ${ledger.lost} lost, ${ledger.duplicated + ledger.beyond} duplicated.`,
              );
            },
          );
        },
      );
    },
  );
}
