import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { launchChromium, screenshot } from "./helpers/browser.js";
import { deferredCleanup } from "./helpers/cleanup.js";
import { startNatsServer } from "./helpers/nats.js";
import { startProcess } from "./helpers/process.js";
import { meterAgentConfig, startMeter } from "./helpers/system.js";
import { agentCli, startAgent, startCollector } from "./helpers/tidegate.js";
import { getJson, waitFor } from "./helpers/wait.js";

// Edge rules on the gateway, driven by a simulated meter: raised and cleared as the values move,
// kept through hysteresis, raised on the clock when the meter goes silent, and shown centrally.

const defer = deferredCleanup();

interface Status {
  alerts: {
    active: { rule: string; device: string; severity: string; message: string }[];
    recent: { rule: string; state: string }[];
  };
}

describe("edge rules", () => {
  it("raise and clear alerts from real readings, hold them through hysteresis, and report them to the collector", async () => {
    const nats = await startNatsServer();
    defer(() => nats.dispose());
    const collector = await startCollector(nats.url);
    defer(() => collector.stop());
    const meter = await startMeter(8);
    defer(() => meter.close());
    const config = `${meterAgentConfig({ gateway: "rules-plant", natsUrl: nats.url, meterPort: meter.port, pollIntervalMs: 100 })}
rules:
  - { id: high-voltage, point: voltage, type: threshold, above: 250, hysteresis: 5, forS: 0.3, severity: critical }
  - { id: meter-silent, point: voltage, type: stale, afterS: 2 }
`;
    const agent = await startAgent(config);
    defer(() => agent.stop());
    const status = () => getJson<Status>(`${agent.url}/api/v1/status`);
    const active = async (rule: string) => (await status()).alerts.active.find((a) => a.rule === rule);

    meter.set("voltage", 255);
    const raised = await waitFor("the high-voltage alert", () => active("high-voltage"), 10_000);
    expect(raised).toMatchObject({
      device: "meter-1",
      severity: "critical",
      message: "voltage is 255, above 250",
    });

    // Inside the hysteresis band: still raised, no flapping.
    meter.set("voltage", 247);
    await waitFor("a poll of 247", async () => {
      const latest = await getJson<{ readings: { point: string; value: unknown }[] }>(
        `${agent.url}/api/v1/latest`,
      );
      return latest.readings.find((r) => r.point === "voltage")?.value === 247;
    });
    expect(await active("high-voltage")).toBeDefined();

    meter.set("voltage", 240);
    await waitFor("the alert to clear", async () => (await active("high-voltage")) === undefined, 10_000);
    const events = (await status()).alerts.recent
      .filter((e) => e.rule === "high-voltage")
      .map((e) => e.state);
    expect(events).toEqual(["cleared", "raised"]);

    // The operator's panel shows it, in a real browser.
    meter.set("voltage", 256);
    const browser = await launchChromium();
    defer(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    await page.goto(agent.url);
    const shown = page.locator('[data-testid="alert"][data-rule="high-voltage"]');
    await shown.waitFor({ timeout: 15_000 });
    expect(await shown.getAttribute("data-severity")).toBe("critical");
    expect(await shown.textContent()).toMatch(/Critical.*meter-1.*voltage is 256, above 250/);

    // The fleet view learns from the heartbeat what is active on the gateway.
    meter.set("voltage", 256);
    await waitFor(
      "the collector to see the active alert",
      async () => {
        const g = (
          await getJson<{ gateways: { id: string; activeAlerts?: { rule: string }[] }[] }>(
            `${collector.url}/api/v1/gateways`,
          )
        ).gateways.find((x) => x.id === "rules-plant");
        return g?.activeAlerts?.some((a) => a.rule === "high-voltage");
      },
      15_000,
    );

    const fleet = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await fleet.goto(collector.url);
    const badge = fleet.locator(
      '[data-testid="gateway-row"][data-gateway="rules-plant"] [data-testid="gateway-alerts"]',
    );
    await badge.waitFor({ timeout: 15_000 });
    expect(await badge.textContent()).toBe("1 active alert");

    // The meter goes silent: the stale rule fires on the clock, with no reading to trigger it.
    await meter.close();
    const silent = await waitFor("the stale alert", () => active("meter-silent"), 15_000);
    expect(silent.message).toBe("no good voltage reading for 2 s");

    // Alert events reach the collector on their own stream: the fleet's alert list.
    const fleetAlerts = await waitFor(
      "both alerts at the collector",
      async () => {
        const a = await getJson<{
          active: { gateway: string; rule: string }[];
          recent: { rule: string; state: string }[];
        }>(`${collector.url}/api/v1/alerts?gateway=rules-plant`);
        return a.active
          .map((x) => x.rule)
          .sort()
          .join(",") === "high-voltage,meter-silent"
          ? a
          : undefined;
      },
      15_000,
    );
    // ... and in the fleet view's alert list.
    await fleet.reload();
    await fleet
      .locator('[data-testid="fleet-alert"][data-gateway="rules-plant"][data-rule="meter-silent"]')
      .waitFor({
        timeout: 15_000,
      });
    expect(fleetAlerts.recent.filter((e) => e.rule === "high-voltage").map((e) => e.state)).toEqual([
      "raised",
      "cleared",
      "raised",
    ]);

    // An operator signs in on the gateway's panel and acknowledges the alert; the acknowledgement
    // travels to the collector on the alerts stream, and the alert stays active until it clears.
    writeFileSync(join(agent.dir, "otto-pw"), "operator password\n");
    const added = startProcess("node", [
      agentCli,
      "user",
      "add",
      "otto",
      "--role",
      "operator",
      "--password-file",
      join(agent.dir, "otto-pw"),
      "--config",
      agent.configFile,
    ]);
    expect(await new Promise((resolve) => added.child.once("exit", resolve))).toBe(0);
    const signedOut = await browser.newContext({ viewport: { width: 360, height: 740 } });
    defer(() => signedOut.close());
    const panel = await signedOut.newPage();
    await panel.goto(agent.url);
    await panel.getByLabel("User name").fill("otto");
    await panel.getByLabel("Password").fill("operator password");
    await panel.getByRole("button", { name: "Sign in" }).click();
    await panel.getByTestId("signed-in-as").waitFor({ timeout: 10_000 });
    expect(await panel.getByTestId("signed-in-as").textContent()).toBe("otto (operator)");
    await panel.locator('[data-testid="alert"][data-rule="meter-silent"] [data-testid="alert-ack"]').click();
    await panel
      .locator('[data-testid="alert"][data-rule="meter-silent"] [data-testid="alert-acked"]')
      .waitFor({ timeout: 10_000 });
    const acked = await waitFor(
      "the acknowledgement at the collector",
      async () => {
        const a = await getJson<{ active: { rule: string; ackedAt?: number | null }[] }>(
          `${collector.url}/api/v1/alerts?gateway=rules-plant`,
        );
        return a.active.find((x) => x.rule === "meter-silent" && x.ackedAt);
      },
      15_000,
    );
    expect(acked.ackedAt).toBeGreaterThan(0);
    const audit = await getJson<{ entries: { actor: string; action: string; target: string }[] }>(
      `${agent.url}/api/v1/audit?action=alert.ack`,
    );
    expect(audit.entries.map((e) => `${e.actor} ${e.target}`)).toEqual(["otto meter-silent/meter-1"]);
    await screenshot(panel, "alert-acknowledged");
  });
});
