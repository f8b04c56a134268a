import { describe, expect, it } from "vitest";
import { deferredCleanup } from "./helpers/cleanup.js";
import { startNatsServer } from "./helpers/nats.js";
import { meterAgentConfig, startMeter } from "./helpers/system.js";
import { startAgent } from "./helpers/tidegate.js";
import { getJson, waitFor } from "./helpers/wait.js";

// The edge rules not covered by alerts.test.ts, each driven by a simulated meter into its
// condition and out again: rate of change, a stuck sensor (flatline) and an EWMA anomaly.

const defer = deferredCleanup();

interface AlertEvent {
  rule: string;
  device: string;
  state: string;
  message: string;
}

describe("edge rules driven by a simulated meter", () => {
  it("raise and clear rate, flatline and anomaly alerts from real readings", async () => {
    const nats = await startNatsServer();
    defer(() => nats.dispose());
    const meter = await startMeter(21);
    defer(() => meter.close());
    const config = `${meterAgentConfig({ gateway: "rules-2", natsUrl: nats.url, meterPort: meter.port, pollIntervalMs: 100 })}
rules:
  - { id: power-jump, point: active_power, type: rate, maxPerS: 1000, severity: warning }
  - { id: current-stuck, point: current, type: flatline, forS: 1.5, severity: warning }
  - { id: voltage-odd, point: voltage, type: anomaly, warmup: 30, zScore: 5, severity: critical }
`;
    const agent = await startAgent(config);
    defer(() => agent.stop());
    const events = async (rule: string) =>
      (await getJson<{ alerts: { recent: AlertEvent[] } }>(`${agent.url}/api/v1/status`)).alerts.recent
        .filter((e) => e.rule === rule)
        .map((e) => `${e.state}: ${e.message}`)
        .reverse();
    const saw = (rule: string, state: string) =>
      waitFor(`${rule} ${state}`, async () => (await events(rule)).some((e) => e.startsWith(state)), 15_000);

    // Rate of change: a step of 4 900 W between two polls is far more than 1 000 W/s; a steady
    // value afterwards is not. (Pinning the meter first is a step too: let that one settle.)
    meter.set("active_power", 100);
    await new Promise((r) => setTimeout(r, 1000));
    const before = (await events("power-jump")).length;
    meter.set("active_power", 5000);
    const step = await waitFor("the step's raise and clear", async () => {
      const after = (await events("power-jump")).slice(before);
      return after.length >= 2 ? after : undefined;
    });
    expect(step[0]).toMatch(/^raised: active_power changes by [\d.e+]+\/s, more than 1000\/s$/);
    expect(step[1]).toMatch(/^cleared: /);

    // Flatline: a current pinned to one value for 1.5 s is a stuck sensor; moving again clears it.
    meter.set("current", 4.25);
    await saw("current-stuck", "raised");
    expect((await events("current-stuck"))[0]).toBe("raised: current stuck at 4.25 for 1.5 s");
    // Moving to another pinned value clears it (and, pinned there, it would be stuck again later).
    meter.set("current", 6.5);
    await saw("current-stuck", "cleared");
    expect((await events("current-stuck")).slice(0, 2).map((e) => e.split(":")[0])).toEqual([
      "raised",
      "cleared",
    ]);

    // Anomaly: after its warm-up the usual voltage is learnt; a spike far outside it raises the
    // alert, and the usual values afterwards clear it. Nothing is raised during the warm-up.
    await new Promise((r) => setTimeout(r, 4500));
    expect(await events("voltage-odd")).toEqual([]);
    meter.spike("voltage", 400, 5);
    await saw("voltage-odd", "raised");
    expect((await events("voltage-odd"))[0]).toMatch(/^raised: voltage is 400, [\d.]+ σ from its usual/);
    await saw("voltage-odd", "cleared");
    // Each condition raised once and cleared once: no flapping.
    expect((await events("power-jump")).slice(before)).toHaveLength(2);
    expect((await events("voltage-odd")).map((e) => e.split(":")[0])).toEqual(["raised", "cleared"]);
  });
});
