import { spreadForFleet } from "@tidegate/protocol";
import { describe, expect, it } from "vitest";
import { deferredCleanup } from "./helpers/cleanup.js";
import { gatewayIds, startHeartbeatFleet } from "./helpers/fleet-view.js";
import { startNatsServer } from "./helpers/nats.js";
import { meterAgentConfig, startMeter } from "./helpers/system.js";
import { startAgent, startCollector } from "./helpers/tidegate.js";
import { getJson, waitFor } from "./helpers/wait.js";

// The collector sizes the fleet's redial window to the gateways it knows (300 heartbeats here);
// an agent reads it from the settings bucket and holds its first redial after a loss within it.

const defer = deferredCleanup();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("fleet redial pacing", () => {
  it("an agent in a fleet of 300 holds its first redial after a loss within the collector's window", async () => {
    const nats = await startNatsServer();
    defer(() => nats.dispose());
    const collector = await startCollector(nats.url);
    defer(() => collector.stop());
    const beats = await startHeartbeatFleet(nats.url, gatewayIds(300), 2000);
    defer(() => beats.stop());
    const meter = await startMeter(5);
    defer(() => meter.close());
    const agent = await startAgent(
      meterAgentConfig({ gateway: "pacing-plant", natsUrl: nats.url, meterPort: meter.port }),
    );
    defer(() => agent.stop());
    const context = () => agent.output().slice(-3000);
    const uplink = async () =>
      (
        await getJson<{ uplink: { connected: boolean; redialSpreadMs: number } }>(
          `${agent.url}/api/v1/status`,
        )
      ).uplink;

    // 300 gateways beating, and this agent: 301 once its own heartbeat is in.
    const windows = [spreadForFleet(300), spreadForFleet(301)];
    const spreadMs = await waitFor(
      () => `the agent to take the collector's window (${windows.join(" or ")} ms)\n${context()}`,
      async () => {
        const u = await uplink();
        return windows.includes(u.redialSpreadMs) ? u.redialSpreadMs : undefined;
      },
      // The collector checks the fleet's size every 10 s, an agent reads the window every 30 s.
      60_000,
      500,
    );
    expect(spreadMs).toBeGreaterThan(4000);

    const lostAt = Date.now();
    await nats.stop();
    await sleep(spreadMs + 1000);
    const redials = agent
      .output()
      .split("\n")
      .filter((l) => l.includes('"reconnecting to NATS"'))
      .map((l) => JSON.parse(l) as { time: number; holdMs: number; nextDelayMs: number })
      .filter((l) => l.time >= lostAt);
    const first = redials[0];
    expect(first, `a redial was logged\n${context()}`).toBeDefined();
    expect(first?.holdMs).toBeGreaterThanOrEqual(0);
    expect(first?.holdMs).toBeLessThanOrEqual(spreadMs);
    // The steps after it grow from the window, not from 250 ms.
    expect(first?.nextDelayMs).toBeLessThanOrEqual(Math.min(30_000, 2 * spreadMs));
    for (const later of redials.slice(1)) expect(later.holdMs).toBe(0);

    await nats.start();
    await waitFor(
      () => `agent reconnected\n${context()}`,
      async () => (await uplink()).connected,
      60_000,
      500,
    );
  }, 150_000);
});
