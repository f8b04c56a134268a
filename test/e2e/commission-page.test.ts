import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadProfiles, type Profile } from "@tidegate/profiles";
import { startModbusRtuSimulator, startPtyPair } from "@tidegate/simulators";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, screenshot } from "./helpers/browser.js";
import { type CommissionRig, startCommissionRig } from "./helpers/commission.js";
import { rtuMeterAgentConfig } from "./helpers/system.js";
import { agentCli, type StartedAgent, startAgent } from "./helpers/tidegate.js";
import { addUserByCli, signInPage } from "./helpers/users.js";
import { getJson, waitFor } from "./helpers/wait.js";

// The commissioning page in a real Chromium, signed in as an operator, against the built agent
// and collector, nats-server and a simulated XY-MD02 on Modbus TCP that no config names: scan,
// pick the profile, preview, save, and the new device's readings show in the local view and
// arrive at the collector. Screenshots of each step go to test/artifacts.

const GATEWAY = "e2e-commission-page";
const cleanups: (() => unknown)[] = [];
let rig: CommissionRig;
let agent: StartedAgent;
let browser: Browser;

beforeAll(async () => {
  rig = await startCommissionRig(GATEWAY, { unitId: 17, values: { temperature: 22.5, humidity: 41.5 } });
  cleanups.push(() => rig.stop());
  agent = rig.agent;
  browser = await launchChromium();
  cleanups.push(() => browser.close());
}, 60_000);
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn();
});

/** A technician signed in as an operator of `on` (made for the test), in a desktop-sized window. */
async function operatorPage(on: StartedAgent): Promise<Page> {
  await addUserByCli({
    cli: agentCli,
    where: ["--config", on.configFile],
    dir: on.dir,
    name: "tina",
    role: "operator",
    password: "technician password",
  });
  const page = await signInPage(browser, on.url, "tina", "technician password", { width: 1000, height: 900 });
  cleanups.push(() => page.context().close());
  return page;
}

describe("the commissioning page", () => {
  it("walks scan → pick → preview → save, and the device's readings show in the local view and at the collector", async () => {
    const page = await operatorPage(agent);
    await page.getByTestId("tab-commission").click();
    await page.getByTestId("commission-page").waitFor();

    await page.getByTestId("scan-host").fill("127.0.0.1");
    await page.getByTestId("scan-port").fill(String(rig.climate.port));
    await page.getByTestId("scan-from").fill("10");
    await page.getByTestId("scan-to").fill("20");
    await page.getByTestId("scan-start").click();
    const found = page.locator('[data-testid="scan-found"][data-unit="17"]');
    await found.waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="scan-status"][data-state="done"]').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("scan-found").count()).toBe(1);
    const candidate = found.locator('[data-testid="scan-candidate"][data-profile="sonbest/xy-md02"]');
    await expect.poll(() => candidate.getByTestId("scan-values").textContent()).toMatch(/22\.5 °C/);
    await screenshot(page, "commission-1-scan");

    await candidate.getByTestId("scan-use").click();
    expect(await page.getByTestId("add-profile").inputValue()).toBe("sonbest/xy-md02");
    expect(await page.getByTestId("add-id").inputValue()).toBe("xy-md02-17");
    await page.getByTestId("add-id").fill("climate-17");
    await page.getByTestId("add-interval").fill("500");
    expect(await page.getByTestId("add-save").isDisabled()).toBe(true); // preview first
    await page.getByTestId("add-preview").click();
    const temperature = page.locator('[data-testid="preview-point"][data-point="temperature"] td');
    await expect
      .poll(() => temperature.allTextContents(), { timeout: 20_000 })
      .toEqual(["22.5 °C", "22.5 °C", "22.5 °C"]);
    await screenshot(page, "commission-2-preview");

    await page.getByTestId("add-save").click();
    const saved = page.getByTestId("add-saved");
    await saved.waitFor({ timeout: 30_000 });
    expect(await saved.textContent()).toMatch(/climate-17 was added \(config version 1\)/);
    await screenshot(page, "commission-3-saved");

    // Many at once: a CSV is checked row by row; a row in error is named, nothing changes.
    const csvHeader = "id,profile,transport,address,unit_id,poll_interval_ms,serial,points";
    await page.getByTestId("csv-file").setInputFiles({
      name: "devices.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(
        `${csvHeader}\nclimate-17,sonbest/xy-md02,tcp,127.0.0.1:${rig.climate.port},17,,,\nclimate-18,sonbest/xy-md02,tcp,127.0.0.1:${rig.climate.port},17,,,\n`,
      ),
    });
    await page.getByTestId("csv-check").click();
    const csvError = page.getByTestId("csv-error");
    await csvError.first().waitFor({ timeout: 10_000 });
    expect(await csvError.allTextContents()).toEqual([
      "2ida device 'climate-17' exists already on this gateway",
    ]);
    expect(await page.getByTestId("csv-import").isDisabled()).toBe(true);
    await screenshot(page, "commission-4-csv-dry-run");

    await saved.getByRole("link").click();
    const row = page.locator('[data-testid="point-row"][data-device="climate-17"][data-point="humidity"]');
    await expect
      .poll(() => row.getByTestId("point-value").textContent(), { timeout: 20_000 })
      .toMatch(/41\.5/);
    await screenshot(page, "commission-5-local-view");

    type Latest = { latest: { point: string; value: number }[] };
    const atCollector = await waitFor(
      () => `climate-17 at the collector\n${agent.output().slice(-3000)}`,
      async () => {
        const l = await getJson<Latest>(
          `${rig.collector.url}/api/v1/latest?gateway=${GATEWAY}&device=climate-17`,
        );
        return l.latest.some((r) => r.point === "temperature") ? l.latest : undefined;
      },
      30_000,
      250,
    );
    expect(atCollector.find((r) => r.point === "temperature")?.value).toBe(22.5);
  }, 120_000);

  it("says plainly while polling of a shared serial line is paused for a scan, and cancels it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tidegate-page-scan-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const pty = await startPtyPair(dir, "ttyUSB-page");
    cleanups.push(pty.close);
    const sim = await startModbusRtuSimulator({
      path: pty.deviceEnd,
      slaves: [{ unitId: 1, profile: loadProfiles().get("eastron/sdm120") as Profile, seed: 1 }],
      tickMs: 200,
    });
    cleanups.push(sim.close);
    const serialAgent = await startAgent(
      rtuMeterAgentConfig({ gateway: "page-shared-line", natsUrl: rig.nats.url, port: pty.agentEnd }),
    );
    cleanups.push(() => serialAgent.stop());
    const page = await operatorPage(serialAgent);
    await page.goto(`${serialAgent.url}/#/commission`);
    await page.getByTestId("scan-mode").selectOption("serial");
    await page.getByTestId("scan-serial").fill(pty.agentEnd);
    // No device above 100 at the bus's own setting, so the sweep goes on to other speeds.
    await page.getByTestId("scan-from").fill("100");
    await page.getByTestId("scan-to").fill("247");
    await page.getByTestId("scan-pause").check();
    await page.getByTestId("scan-start").click();
    const paused = page.getByTestId("polling-paused");
    await paused.waitFor({ timeout: 60_000 });
    expect(await paused.textContent()).toBe(
      `Polling on ${pty.agentEnd} is paused for this scan; it resumes when the scan ends.`,
    );
    await screenshot(page, "commission-6-polling-paused");
    await page.getByTestId("scan-cancel").click();
    await page.locator('[data-testid="scan-status"][data-state="cancelled"]').waitFor({ timeout: 15_000 });
    expect(await paused.count()).toBe(0);
    // Polling is back: a new value of the configured meter shows on the overview.
    sim.slave(1).set("voltage", 233.5);
    await page.getByTestId("tab-overview").click();
    const row = page.locator('[data-testid="point-row"][data-device="meter-1"][data-point="voltage"]');
    await expect
      .poll(() => row.getByTestId("point-value").textContent(), { timeout: 20_000 })
      .toMatch(/233\.5/);
  }, 150_000);
});
