import { describe, expect, it } from "vitest";
import { waitFor } from "../e2e/helpers/wait.js";
import { sleep } from "./helpers/chaos.js";
import { agentLedger } from "./helpers/count.js";
import { finishScenario, useRig } from "./helpers/scenario.js";

// Scenario 5: a long outage fills the buffer's size bound. drop-oldest applies, every dropped
// reading is counted with its seq range, and the books balance: stored + dropped = committed.

const rigFor = useRig();

describe("fault: buffer bound hit during an outage", () => {
  it("drop-oldest keeps the newest readings and counts exactly what it dropped", async () => {
    // 64 KB holds a few hundred readings: at ~130 readings/s the bound is hit within seconds.
    const rig = await rigFor({ gateway: "fault-buffer-bound", pollIntervalMs: 100, buffer: "maxSize: 64KB" });
    await rig.waitStored(50);
    await rig.nats.stop();
    await waitFor(
      () => `the agent to drop readings at its size bound\n${rig.context()}`,
      async () => ((await agentLedger(rig.agent.url)).dropped["buffer-full"] ?? 0) > 0,
      30_000,
      200,
    );
    await sleep(2000); // keep dropping for a while: several drops, one merged range
    await rig.nats.start();

    const tally = await finishScenario(rig, "buffer-bound", { timeoutMs: 30_000 });
    const dropped = tally.dropped["buffer-full"] ?? 0;
    expect(dropped, rig.context()).toBeGreaterThan(0);
    // Counted = produced − stored, exactly.
    expect(tally.produced - tally.stored, rig.context()).toBe(dropped);
  });
});
