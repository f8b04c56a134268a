import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { encodeHeartbeat, subjects } from "@tidegate/protocol";
import { type ModbusTcpSimulator, startModbusTcpSimulator } from "@tidegate/simulators";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { heartbeatAt } from "../helpers/heartbeat.js";
import { launchChromium, screenshot } from "./helpers/browser.js";
import { type NatsServer, startNatsServer } from "./helpers/nats.js";
import {
  collectorCli,
  type Restartable,
  type StartedAgent,
  startAgent,
  startCollector,
} from "./helpers/tidegate.js";
import { addUserByCli, signInPage } from "./helpers/users.js";
import { valveAgentConfig, valveDevice, writeValveProfile } from "./helpers/valve.js";
import { getJson, waitFor } from "./helpers/wait.js";

// The fleet dashboard's remote management, in a real browser: an operator signed in on the
// collector reads a gateway's status and config, writes a holding register through the agent to a
// Modbus TCP simulator, and acknowledges an edge alert, which the agent records in the operator's
// name and sends back up. A viewer sees the same gateway without the buttons that act. An admin
// pushes the gateway's device to a second agent that lacks its profile, and to a gateway that is
// not listening: each answers on its own.

const GATEWAY = "e2e-fleet-cmd";
/** A second agent with no devices and an empty profiles folder: the push's target. */
const TARGET = "e2e-fleet-cmd-2";
/** Beats but answers no commands: the push reports it as not reached. */
const SILENT = "e2e-fleet-cmd-silent";

interface AgentStatus {
  alerts: {
    active: { rule: string; device: string; ackedAt: number | null }[];
    recent: { rule: string; state: string; message: string }[];
  };
}

let work: string;
let nats: NatsServer;
let sim: ModbusTcpSimulator;
let collector: Restartable;
let agent: StartedAgent;
let target: StartedAgent;
let browser: Browser;

const context = () =>
  `agent:\n${agent.output().slice(-3000)}\ntarget:\n${target?.output().slice(-2000)}\ncollector:\n${collector.output().slice(-2000)}`;

const addUser = (name: string, role: "viewer" | "operator" | "admin", password: string) =>
  addUserByCli({ cli: collectorCli, where: ["--data-dir", collector.dir], dir: work, name, role, password });

/** A fresh browser context (no token), signed in on the fleet view, with the gateway opened. */
async function signIn(name: string, password: string): Promise<Page> {
  const page = await signInPage(browser, collector.url, name, password, { width: 1280, height: 900 });
  await page.locator(`[data-testid="gateway-row"][data-gateway="${GATEWAY}"]`).click();
  await page.getByTestId("commands-panel").waitFor({ timeout: 10_000 });
  return page;
}

const fleetAlert = (page: Page, rule = "high-flow") =>
  page.locator(`[data-testid="fleet-alert"][data-gateway="${GATEWAY}"][data-rule="${rule}"]`);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "tidegate-fleet-cmd-"));
  const { profilesDir, profile } = writeValveProfile(work);
  nats = await startNatsServer();
  sim = await startModbusTcpSimulator({ profile, port: 0, tickMs: 200, seed: 5 });
  collector = await startCollector(nats.url);
  // The flow never drops below 10 and the setpoint stays above 10: both alerts are raised from the
  // first polls and stay raised (the operator acknowledges one, the viewer finds the other).
  agent = await startAgent(
    valveAgentConfig({
      gateway: GATEWAY,
      natsUrl: nats.url,
      profilesDir,
      devices: valveDevice("valve-1", sim.port),
      extra: `rules:
  - { id: high-flow, point: flow, type: threshold, above: 5, severity: warning }
  - { id: high-setpoint, point: setpoint, type: threshold, above: 10, severity: info }
`,
    }),
  );
  mkdirSync(join(work, "profiles-2"));
  target = await startAgent(
    valveAgentConfig({
      gateway: TARGET,
      natsUrl: nats.url,
      profilesDir: join(work, "profiles-2"),
      devices: "  []\n",
    }),
  );
  await addUser("olga", "operator", "operator password");
  await addUser("vic", "viewer", "viewer password");
  await addUser("ada", "admin", "admin password");
  await waitFor(
    () => `the collector to list ${GATEWAY} online with both points and its alert\n${context()}`,
    async () => {
      const g = await getJson<{ gateways: { id: string; online: boolean }[] }>(
        `${collector.url}/api/v1/gateways`,
      );
      const points = await getJson<{ points: { point: string }[] }>(
        `${collector.url}/api/v1/points?gateway=${GATEWAY}`,
      );
      const alerts = await getJson<{ active: { rule: string }[] }>(
        `${collector.url}/api/v1/alerts?gateway=${GATEWAY}`,
      );
      return (
        g.gateways.some((x) => x.id === GATEWAY && x.online) &&
        g.gateways.some((x) => x.id === TARGET && x.online) &&
        points.points.length === 2 &&
        alerts.active.length === 2
      );
    },
    20_000,
  );
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await agent?.kill("SIGKILL");
  await target?.kill("SIGKILL");
  await collector?.stop();
  await sim?.close();
  await nats?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("fleet commands", () => {
  it("an operator reads status and config, writes a register and acknowledges an alert from the fleet", async () => {
    const page = await signIn("olga", "operator password");
    const panel = page.getByTestId("commands-panel");

    await panel.getByRole("button", { name: "Read status" }).click();
    const status = panel.getByTestId("command-status");
    await status.waitFor({ timeout: 15_000 });
    expect(await status.textContent()).toMatch(/Devices\s*valve-1: /);
    expect(await status.textContent()).toMatch(/Uplink\s*connected/);

    await panel.getByRole("button", { name: "Show config" }).click();
    const config = panel.getByTestId("command-config");
    await config.waitFor({ timeout: 15_000 });
    expect(await config.textContent()).toContain('"password": "********"');
    expect(await config.textContent()).not.toContain("not-checked-here");

    // The write form: device and point from the gateway's points, a value typed in.
    const form = panel.getByTestId("command-write-form");
    await form.getByLabel("Device").selectOption("valve-1");
    await form.getByLabel("Point").selectOption("setpoint");
    await form.getByLabel("Value").fill("42.5");
    await form.getByRole("button", { name: "Write" }).click();
    const written = panel.getByTestId("command-write");
    await written.waitFor({ timeout: 15_000 }).catch((err: Error) => {
      throw new Error(`${err.message}\n${context()}`);
    });
    expect(await written.getAttribute("data-read-back")).toBe("42.5");
    expect(await written.textContent()).toMatch(/^Written: 42\.5( m3\/h)?, read back: 42\.5( m3\/h)?$/);
    expect(sim.current().setpoint).toBe(42.5);

    // A point the profile does not let anyone write: the agent's refusal, in its words.
    await form.getByLabel("Point").selectOption("flow");
    await form.getByLabel("Value").fill("5");
    await form.getByRole("button", { name: "Write" }).click();
    const refused = panel.getByTestId("command-error");
    await refused.waitFor({ timeout: 15_000 });
    expect(await refused.textContent()).toMatch(
      /read-only in profile acme\/valve; writable points: setpoint/,
    );

    // Acknowledge from the fleet's alert list: the agent records it in the operator's name.
    await fleetAlert(page, "high-setpoint").getByTestId("alert-ack").waitFor({ timeout: 15_000 });
    const alert = fleetAlert(page);
    await alert.getByTestId("alert-ack").click();
    await alert.getByTestId("alert-acked").waitFor({ timeout: 15_000 });
    const acked = await waitFor(
      () => `the agent to record the acknowledgement\n${context()}`,
      async () => {
        const s = await getJson<AgentStatus>(`${agent.url}/api/v1/status`);
        const active = s.alerts.active.find((a) => a.rule === "high-flow");
        const event = s.alerts.recent.find((e) => e.rule === "high-flow" && e.state === "acked");
        return active?.ackedAt && event ? event : undefined;
      },
      10_000,
    );
    expect(acked.message).toBe("acknowledged by olga@collector");
    // ... and sends the acked event back up: the collector's list has it, a reload shows it.
    await waitFor(
      "the acknowledgement at the collector",
      async () =>
        (
          await getJson<{ active: { rule: string; ackedAt?: number | null }[] }>(
            `${collector.url}/api/v1/alerts?gateway=${GATEWAY}`,
          )
        ).active.some((a) => a.rule === "high-flow" && a.ackedAt),
      15_000,
    );
    const audit = await getJson<{
      entries: { actor: string; action: string; target: string; ok?: boolean }[];
    }>(`${collector.url}/api/v1/audit?action=command.alert.ack`);
    expect(audit.entries.map((e) => `${e.actor} ${e.target}`)).toEqual([`olga ${GATEWAY}`]);
    await page.reload();
    await fleetAlert(page).getByTestId("alert-acked").waitFor({ timeout: 15_000 });
    expect(await fleetAlert(page).getByTestId("alert-ack").count()).toBe(0);
    await page.locator(`[data-testid="gateway-row"][data-gateway="${GATEWAY}"]`).click();
    await page.getByTestId("commands-panel").getByRole("button", { name: "Read status" }).click();
    await page.getByTestId("command-status").waitFor({ timeout: 15_000 });
    await screenshot(page, "fleet-commands-operator");
  });

  it("a viewer reads but sees no write form, no restart and no acknowledge button", async () => {
    const page = await signIn("vic", "viewer password");
    const panel = page.getByTestId("commands-panel");
    // Not acknowledged yet, and still nothing to press for a viewer.
    const open = fleetAlert(page, "high-setpoint");
    await open.waitFor({ timeout: 15_000 });
    expect(await open.getByTestId("alert-acked").count()).toBe(0);
    await panel.getByLabel("Lines").fill("200");
    await panel.getByRole("button", { name: "Show log" }).click();
    const logs = panel.getByTestId("command-logs");
    await logs.waitFor({ timeout: 15_000 });
    expect(await logs.textContent()).toContain("remote command write from olga: ok");
    expect(await panel.getByTestId("command-write-form").count()).toBe(0);
    expect(await panel.getByRole("button", { name: "Restart source" }).count()).toBe(0);
    expect(await panel.textContent()).toContain("Writing values and restarting sources need an operator.");
    expect(await page.getByTestId("alert-ack").count()).toBe(0);
    await screenshot(page, "fleet-commands-viewer");
  });

  it("an admin pushes a device to another gateway: the profile travels, each target answers on its own", async () => {
    // A gateway that beats but listens for no commands (an older agent, or one cut off since).
    const spy = await connect({ servers: nats.url });
    spy.publish(
      subjects.status(SILENT),
      encodeHeartbeat(heartbeatAt(SILENT, Date.now(), { version: "0.0.1" })),
    );
    await spy.flush();
    await spy.close();
    await waitFor("the collector to register the silent gateway", async () =>
      (await getJson<{ gateways: { id: string }[] }>(`${collector.url}/api/v1/gateways`)).gateways.some(
        (g) => g.id === SILENT,
      ),
    );
    const page = await signIn("ada", "admin password");
    await page.getByTestId("push-open").click();
    const panel = page.getByTestId("push-panel");
    await panel.getByLabel("Device").selectOption("valve-1");
    await panel.getByLabel("Filter gateways").fill("cmd-");
    await panel.locator(`input[data-gateway="${TARGET}"]`).check();
    await panel.locator(`input[data-gateway="${SILENT}"]`).check();
    await panel.getByRole("button", { name: "Push" }).click();
    const result = (gw: string) => panel.locator(`[data-testid="push-result"][data-gateway="${gw}"]`);
    await result(TARGET)
      .waitFor({ timeout: 30_000 })
      .catch((err: Error) => {
        throw new Error(`${err.message}\n${context()}`);
      });
    expect(await result(TARGET).getAttribute("data-outcome"), context()).toBe("applied");
    expect(await result(TARGET).textContent()).toMatch(/applied as config version 1, profile saved/);
    expect(await result(SILENT).getAttribute("data-outcome")).toBe("not-reached");
    expect(await result(SILENT).textContent()).toMatch(/is not listening for commands/);
    await screenshot(page, "fleet-device-push");

    // The target runs the device with the profile it was sent, saved in its profiles folder.
    expect(existsSync(join(work, "profiles-2", "acme", "valve.yaml"))).toBe(true);
    expect(existsSync(join(target.dir, "devices.d", "valve-1.yaml"))).toBe(true);
    await waitFor(
      () => `the target to read valve-1\n${context()}`,
      async () =>
        (
          await getJson<{ devices: { id: string; status: string }[] }>(`${target.url}/api/v1/status`)
        ).devices.some((d) => d.id === "valve-1" && d.status === "ok"),
      15_000,
    );

    // Pushed again, the target refuses the taken id in its own words; nothing else changes.
    await panel.getByRole("button", { name: "Push" }).click();
    await panel
      .locator(`[data-testid="push-result"][data-gateway="${TARGET}"][data-outcome="refused"]`)
      .waitFor({ timeout: 30_000 });
    expect(await result(TARGET).textContent()).toMatch(/a device 'valve-1' exists already on this gateway/);
    const audit = await getJson<{ entries: { actor: string; target: string; ok?: boolean }[] }>(
      `${collector.url}/api/v1/audit?action=device.push`,
    );
    expect(audit.entries.map((e) => `${e.actor} ${e.target} ${e.ok}`).sort()).toEqual([
      `ada ${TARGET} false`,
      `ada ${TARGET} true`,
      `ada ${SILENT} false`,
      `ada ${SILENT} false`,
    ]);
  });
});
