import { describe, expect, it } from "vitest";
import { waitFor } from "../e2e/helpers/wait.js";
import { sleep } from "./helpers/chaos.js";
import { storedCount } from "./helpers/count.js";
import { startLoad } from "./helpers/load.js";
import { finishScenario, useRig } from "./helpers/scenario.js";
import { consumerState, ingestCounters } from "./helpers/stream.js";

// Scenario 7: two collector processes share the one durable consumer (scale-out as designed) and
// one data dir: SQLite in WAL mode lets two processes write one file on a local disk, so a single
// store shows whether anything went missing. A burst of synthetic load keeps both writing; one is
// SIGKILLed in the middle of it and stays dead, and the survivor gets what the dead one held
// once ack_wait (5 s in the rig, 30 s by default) runs out.

const rigFor = useRig();

describe("fault: two collectors, one killed", () => {
  it("two collectors on one durable consumer and one store, one SIGKILLed mid-run: 0 lost, 0 duplicated", async () => {
    const rig = await rigFor({ gateway: "fault-two-collectors", collectors: 2, batchSize: 50 });
    const load = await startLoad(rig.nats.url, "fault-load");
    rig.defer(() => load.close());
    await rig.waitStored(50);
    const [survivor, victim] = rig.collectors;
    if (!survivor || !victim) throw new Error("the rig started fewer than two collectors");
    // Both really pull from the shared durable: the server holds pull requests from two clients.
    await waitFor(
      () => `two collectors pulling from the durable consumer\n${rig.context()}`,
      async () => (await consumerState(rig.nats.url)).waiting >= 2,
      10_000,
      200,
    );

    // Both take a share of the agent's traffic (asked before the burst: a busy collector answers
    // HTTP only after it, and the kill must land inside it). Skipped if there are no counters.
    const shares = await waitFor(
      () => `both collectors ingesting\n${rig.context()}`,
      async () => {
        const counters = await Promise.all([survivor, victim].map((c) => ingestCounters(c.url)));
        return counters.every((c) => c === undefined || c.batches > 0) ? counters : undefined;
      },
      10_000,
      200,
    );

    // A burst the two share; the kill comes once they are into it, while each holds a pull.
    const burst = load.publish(400, 500);
    burst.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
    await waitFor(
      () => `the collectors writing the load burst\n${rig.context()}`,
      () => storedCount(rig.dbPath, load.gateway) >= 40_000,
      15_000,
      10,
    );
    await victim.kill("SIGKILL");
    await burst;
    // By now the survivor has acked its own; what stays un-acked is what the dead one held.
    await sleep(2000);
    const heldByVictim = (await consumerState(rig.nats.url)).ackPending;
    expect(heldByVictim, `the kill hit no work in flight\n${rig.context()}`).toBeGreaterThan(0);
    expect(survivor.alive(), rig.context()).toBe(true);

    await finishScenario(rig, "two-collectors", {
      timeoutMs: 50_000,
      absorbed: [
        `batches ingested before the burst by survivor/victim=${shares.map((c) => c?.batches ?? "?").join("/")}`,
        `messages un-acked 2 s after the kill=${heldByVictim}`,
      ],
      load,
    });
  });
});
