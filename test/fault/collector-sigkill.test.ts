import { seededRandom } from "@tidegate/simulators";
import { describe, expect, it } from "vitest";
import { waitFor } from "../e2e/helpers/wait.js";
import { faultSeed, killAndRestart, sleep } from "./helpers/chaos.js";
import { storedCount } from "./helpers/count.js";
import { startLoad } from "./helpers/load.js";
import { finishScenario, useRig } from "./helpers/scenario.js";
import { consumerState } from "./helpers/stream.js";

// Scenario 3: the collector dies by SIGKILL while it writes and comes back on the same data dir.
// It acks a batch only after the SQLite commit, so a kill before the ack means redelivery (after
// the consumer's ack_wait) and INSERT OR IGNORE; a kill mid-transaction is rolled back by SQLite.
// Before each kill a burst of synthetic load is queued in the stream; the kill comes a random
// moment after the collector has begun writing it, so it lands inside the catch-up.

const KILLS = 6;
const BURST = { batches: 200, size: 500 }; // a few hundred ms of writing for the collector
const rigFor = useRig();

describe("fault: collector SIGKILL", () => {
  it(`collector SIGKILLed ${KILLS} times during writes, restarted on its data dir: 0 lost, 0 duplicated`, async () => {
    const seed = faultSeed();
    const rig = await rigFor({ gateway: "fault-collector-kill", batchSize: 50 });
    const load = await startLoad(rig.nats.url, "fault-load");
    rig.defer(() => load.close());
    await rig.waitStored(50);
    const collector = rig.collectors[0];
    if (!collector) throw new Error("the rig started no collector");

    let loadStoredAtBurst = 0;
    const burst = async () => {
      loadStoredAtBurst = storedCount(rig.dbPath, load.gateway);
      await load.publish(BURST.batches, BURST.size);
    };
    // Un-acked messages right after each kill: what the dead process held, plus earlier leftovers
    // still waiting for ack_wait.
    const unacked: number[] = [];
    await burst();
    await killAndRestart(collector, {
      times: KILLS,
      // The burst takes the collector a few hundred ms; a kill later than that finds it done.
      upMs: [0, 60],
      downMs: [200, 800],
      rng: seededRandom(seed),
      first: { startedAt: Date.now(), readyAt: Date.now() },
      beforeKill: () =>
        waitFor(
          () => `collector run ${collector.runs()} writing the load burst\n${rig.context()}`,
          () => storedCount(rig.dbPath, load.gateway) > loadStoredAtBurst,
          15_000,
          20,
        ).then(() => undefined),
      afterKill: async () => {
        unacked.push((await consumerState(rig.nats.url)).ackPending);
      },
      beforeStart: burst,
    });
    expect(collector.runs(), rig.context()).toBe(KILLS + 1);
    // The kills hit work in progress, or this scenario would prove nothing about crashes mid-write.
    expect(Math.max(...unacked), `no kill left a message un-acked\n${rig.context()}`).toBeGreaterThan(0);
    await sleep(1500); // the last run writes live traffic too

    await finishScenario(rig, `collector-sigkill[kills=${KILLS},seed=${seed}]`, {
      // Messages the dead process held come back only after ack_wait (the rig sets 5 s).
      timeoutMs: 50_000,
      absorbed: [`messages un-acked right after each kill=${unacked.join("/")}`],
      load,
    });
  });
});
