import { describe, expect, it } from "vitest";
import { sleep } from "./helpers/chaos.js";
import { agentLedger, storeLedger } from "./helpers/count.js";
import { finishScenario, useRig } from "./helpers/scenario.js";

// Scenario 4: nats-server restarts while traffic flows. JetStream keeps the stream in files, so
// readings it acknowledged (and the agent therefore deleted) must survive the restart. To make
// that the only copy, the collector is away during the first restart; the second restart hits
// with everything running.

const rigFor = useRig();

describe("fault: nats-server restart", () => {
  it("nats-server restarted twice while traffic flows (JetStream file storage): 0 lost", async () => {
    const rig = await rigFor({ gateway: "fault-nats-restart" });
    await rig.waitStored(50);
    const collector = rig.collectors[0];
    if (!collector) throw new Error("the rig started no collector");

    await collector.kill("SIGTERM");
    await sleep(2000);
    const storedBefore = storeLedger(rig.dbPath, rig.gateway, Number.MAX_SAFE_INTEGER).stored;
    const ackedBefore = (await agentLedger(rig.agent.url)).acked;
    // The agent deleted these after the PubAck; from here on only JetStream has them.
    expect(ackedBefore, `nothing acked while the collector was away\n${rig.context()}`).toBeGreaterThan(
      storedBefore,
    );

    await rig.nats.stop();
    await rig.nats.start();
    await sleep(2000);
    await collector.start();
    await sleep(1000);
    await rig.nats.stop();
    await rig.nats.start();
    await sleep(2000);

    await finishScenario(rig, "nats-restart", {
      timeoutMs: 30_000,
      absorbed: [`only in JetStream across the first restart=${ackedBefore - storedBefore}`],
    });
  });
});
