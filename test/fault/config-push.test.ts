import { describe, expect, it } from "vitest";
import { apiFetch } from "../e2e/helpers/auth.js";
import { waitFor } from "../e2e/helpers/wait.js";
import { sleep } from "./helpers/chaos.js";
import { agentLedger } from "./helpers/count.js";
import { finishScenario, useRig } from "./helpers/scenario.js";

// Scenario: configs pushed (config.apply) again and again while the NATS link flaps. A push
// restarts the sources only; the buffer and uplink stay open, so what was buffered during each
// outage must still arrive exactly once (thingsboard-gateway #2124 loses it on a config push).

const rigFor = useRig();

describe("fault: config pushes while the link flaps", () => {
  it("config.apply four times around two nats-server restarts: 0 lost, 0 duplicated", async () => {
    // Small batches and a slow backfill lane keep each outage's backlog draining while the next
    // push lands.
    const rig = await rigFor({ gateway: "fault-config-push", batchSize: 20, uplink: "backfillRatePerS: 20" });
    await rig.waitStored(50);
    const collector = rig.collectors[0];
    if (!collector) throw new Error("the rig started no collector");
    const post = async (verb: string, body: unknown) => {
      const res = await apiFetch(`${collector.url}/api/v1/gateways/${rig.gateway}/commands/${verb}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return {
        status: res.status,
        body: (await res.json()) as { result?: Record<string, unknown>; error?: string },
      };
    };
    const backlogAtPush: number[] = [];
    let applied = 0;
    /** Changes every device's poll interval; retried while the link is still coming back. */
    const push = (pollIntervalMs: number) =>
      waitFor(
        () => `config.apply (poll ${pollIntervalMs} ms) to go through\n${rig.context()}`,
        async () => {
          const got = await post("config.get", {});
          if (got.status !== 200) return false;
          const config = got.body.result?.config as { devices: Record<string, unknown>[] };
          config.devices = config.devices.map((d) => ({ ...d, pollIntervalMs }));
          const { backlog } = await agentLedger(rig.agent.url);
          const res = await post("config.apply", { config, timeoutMs: 10_000 });
          if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.body.error}`);
          backlogAtPush.push(backlog);
          applied += 1;
          return true;
        },
        30_000,
        250,
      );

    for (let round = 0; round < 2; round++) {
      await push(round % 2 === 0 ? 200 : 150);
      await rig.nats.stop();
      await sleep(6000); // the agent buffers
      await rig.nats.start();
      await push(round % 2 === 0 ? 150 : 200); // as soon as the link is back, with a backlog to drain
      await sleep(500);
    }
    expect(applied).toBe(4);
    // Pushes right after a restart meet the outage's backlog while it drains (more than a few
    // batches); how much is left depends on how fast the collector reconnects, so one is required.
    const afterRestarts = backlogAtPush.filter((_, i) => i % 2 === 1);
    expect(
      Math.max(...afterRestarts),
      `a push after a restart found no backlog: ${backlogAtPush.join("/")}\n${rig.context()}`,
    ).toBeGreaterThan(40);

    // The backfill lane drains at 20 readings/s: a backlog of 600 (an outage plus the agent's
    // backoff before it redials) takes 30 s on its own.
    await finishScenario(rig, "config-push", {
      timeoutMs: 60_000,
      absorbed: [`config versions applied=${applied}`, `backlog at each push=${backlogAtPush.join("/")}`],
    });
  }, 180_000);
});
