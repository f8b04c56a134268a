import { seededRandom } from "@tidegate/simulators";
import { describe, expect, it } from "vitest";
import { estimateUncommitted, faultSeed, killAndRestart, sleep } from "./helpers/chaos.js";
import { agentLedger } from "./helpers/count.js";
import { finishScenario, useRig } from "./helpers/scenario.js";

// Scenario 2: the agent dies by SIGKILL (no shutdown code runs) at random moments, 20+ times,
// while it polls and while it publishes, and comes back on the same config dir and buffer file.
// A crash may only take readings not yet committed (they never got a seq); once a reading has
// its seq it must arrive exactly once, so the collector holds exactly seqs 1..committed.

const KILLS = 22;
const rigFor = useRig();

describe("fault: agent SIGKILL", () => {
  it(`agent SIGKILLed ${KILLS} times while reading and sending: seqs 1..committed, 0 duplicated`, async () => {
    const seed = faultSeed();
    const startedAt = Date.now();
    const rig = await rigFor({
      gateway: "fault-agent-kill",
      // Small batches: many publish → PubAck → delete cycles per second for a kill to interrupt.
      batchSize: 25,
    });
    const first = { startedAt, readyAt: Date.now() };
    await rig.waitStored(20);
    const before = await agentLedger(rig.agent.url);

    const lives = await killAndRestart(rig.agent, {
      times: KILLS,
      upMs: [0, 900],
      downMs: [0, 300],
      rng: seededRandom(seed),
      first,
    });
    await sleep(1000);
    const after = await agentLedger(rig.agent.url);
    expect(rig.agent.runs(), rig.context()).toBe(KILLS + 1);
    // The agent kept reading through the kills (the final count shows the seqs stayed gap-free).
    expect(after.committed, rig.context()).toBeGreaterThan(before.committed);

    await finishScenario(rig, `agent-sigkill[kills=${KILLS},seed=${seed}]`, {
      timeoutMs: 30_000,
      notes: () => {
        const est = estimateUncommitted(
          rig.dbPath,
          rig.gateway,
          lives,
          rig.pollIntervalMs,
          rig.pointsPerPoll,
        );
        return [
          `never-committed≈${est.readings} (read but not committed when killed; no seq, outside produced; ` +
            `widest kill window ${est.widestWindowMs} ms at commitIntervalMs=${rig.commitIntervalMs}, poll ${rig.pollIntervalMs} ms)`,
        ];
      },
    });
  });
});
