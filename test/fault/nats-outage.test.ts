import { describe, expect, it } from "vitest";
import { sleep } from "./helpers/chaos.js";
import { agentLedger } from "./helpers/count.js";
import { finishScenario, useRig } from "./helpers/scenario.js";

// Scenario 1: the uplink loses NATS for ~5 s while the agent keeps polling. Readings pile up in
// the agent's SQLite buffer and must all reach the collector once nats-server is back, once each.

const rigFor = useRig();

describe("fault: nats-server outage", () => {
  it("nats-server stopped ~5 s while the agent reads, then started: 0 lost, 0 duplicated", async () => {
    const rig = await rigFor({ gateway: "fault-nats-outage" });
    await rig.waitStored(50);

    await rig.nats.stop();
    const before = await agentLedger(rig.agent.url);
    await sleep(5000);
    const during = await agentLedger(rig.agent.url);
    // The outage really happened: the agent kept committing and could not forward.
    expect(during.committed, rig.context()).toBeGreaterThan(before.committed);
    expect(during.backlog, rig.context()).toBeGreaterThan(0);

    await rig.nats.start();
    await sleep(2000); // live traffic and backfill side by side
    await finishScenario(rig, "nats-outage", { timeoutMs: 30_000 });
  });
});
