import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { TELEMETRY_STREAM } from "@tidegate/protocol";
import { describe, expect, it } from "vitest";
import { sleep } from "./helpers/chaos.js";
import { storedCount } from "./helpers/count.js";
import type { Rig } from "./helpers/rig.js";
import { finishScenario, useRig } from "./helpers/scenario.js";

// Scenario: a three-node JetStream cluster loses the node that leads the telemetry stream, and
// later another one, while the agent keeps sending. With three replicas the stream elects a new
// leader and ingest carries on; every reading arrives once.

const rigFor = useRig();

/** Kills the stream's leader (or, when that is `spare`, another node), waits for ingest to go on, restarts it. */
async function killAndRecover(rig: Rig, round: string, spare?: string) {
  const cluster = rig.cluster;
  if (!cluster) throw new Error("the rig runs on no cluster");
  const leader = await cluster.streamLeader(TELEMETRY_STREAM);
  if (!leader) throw new Error(`no leader of ${TELEMETRY_STREAM}\n${rig.context()}`);
  const victim = leader.name === spare ? cluster.nodes.find((n) => n.name !== spare) : leader;
  if (!victim) throw new Error("no node to kill");
  const before = storedCount(rig.dbPath, rig.gateway);
  await victim.kill();
  // Ingest goes on without the dead node: the stored count grows past what it was.
  await rig.waitStored(before + 200, 45_000);
  if (victim === leader) {
    const next = await cluster.streamLeader(TELEMETRY_STREAM);
    expect(next?.name, `${round}: a new leader was elected`).not.toBe(leader.name);
  }
  await victim.start();
  await cluster.waitReplicasCurrent(TELEMETRY_STREAM, 45_000);
  return victim.name;
}

describe("fault: JetStream cluster node killed", () => {
  it("the telemetry stream's leader killed, then the next leader: 0 lost, 0 duplicated", async () => {
    const rig = await rigFor({ gateway: "fault-cluster", cluster: true });
    await rig.waitStored(100, 30_000);

    const nc = await connect({ servers: rig.cluster?.urls ?? [], reconnect: false });
    const info = await (await jetstreamManager(nc)).streams.info(TELEMETRY_STREAM);
    await nc.close();
    expect(info.config.num_replicas, "the collector gives the stream three replicas on a cluster").toBe(3);

    const first = await killAndRecover(rig, "leader kill");
    await sleep(1000);
    const second = await killAndRecover(rig, "second kill", first);
    expect(second, "the second kill takes another node").not.toBe(first);

    await finishScenario(rig, "cluster-node-kill", {
      timeoutMs: 60_000,
      absorbed: [`killed ${first}, then ${second}`],
    });
  }, 240_000);
});
