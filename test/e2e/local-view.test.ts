import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, screenshot } from "./helpers/browser.js";
import { type NatsServer, startNatsServer } from "./helpers/nats.js";
import { meterAgentConfig, startMeter } from "./helpers/system.js";
import { agentCli, type StartedAgent, startAgent, startCollector } from "./helpers/tidegate.js";
import { addUserByCli, signInPage } from "./helpers/users.js";

// The operator's local view (trends, technician page) and the fleet table, in a real Chromium
// against real agents, collector, nats-server and Modbus TCP simulators.

// Shared by every test in the file, so cleaned up once at the end (deferredCleanup runs after each test).
const cleanups: (() => unknown)[] = [];
const defer = (fn: () => unknown) => void cleanups.push(fn);
const NATS_PASSWORD = "n4ts-pw-must-not-show";
let nats: NatsServer;
let collectorUrl: string;
let agent: StartedAgent;
let browser: Browser;

const addUser = (name: string, role: "viewer" | "operator", password: string) =>
  addUserByCli({
    cli: agentCli,
    where: ["--config", agent.configFile],
    dir: agent.dir,
    name,
    role,
    password,
  });

async function signIn(name: string, password: string): Promise<Page> {
  const page = await signInPage(browser, agent.url, name, password);
  defer(() => page.context().close());
  return page;
}

beforeAll(async () => {
  nats = await startNatsServer();
  defer(() => nats.dispose());
  // Offline after 3 s without a heartbeat, so the fleet test need not wait the default 30 s.
  const collector = await startCollector(nats.url, { env: { TIDEGATE_OFFLINE_AFTER_S: "3" } });
  defer(() => collector.stop());
  collectorUrl = collector.url;
  const meter = await startMeter(21);
  defer(() => meter.close());
  meter.set("voltage", 228.75);
  // The test nats-server has no accounts and ignores credentials; the password is here to be masked.
  const config = meterAgentConfig({
    gateway: "local-plant",
    natsUrl: nats.url,
    meterPort: meter.port,
  }).replace(
    "heartbeatIntervalMs: 500 }",
    `heartbeatIntervalMs: 500, user: edge, password: "${NATS_PASSWORD}" }`,
  );
  agent = await startAgent(config);
  defer(() => agent.stop());
  browser = await launchChromium();
  defer(() => browser.close());
  await addUser("otto", "operator", "operator password");
  await addUser("vera", "viewer", "viewer password");
});

afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn();
});

describe("the operator's local view", () => {
  it("draws a point's trend from the agent's own history, for the last hour and the last day, at 360 px", async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    defer(() => page.close());
    await page.goto(agent.url);
    const row = page.locator('[data-testid="point-row"][data-device="meter-1"][data-point="voltage"]');
    await row.getByTestId("trend-toggle").click();
    const chart = page.locator('[data-testid="trend"] [data-testid="chart"]');
    await expect.poll(async () => chart.locator("canvas").count(), { timeout: 15_000 }).toBe(1);
    await expect
      .poll(async () => Number((await chart.getAttribute("data-points")) ?? 0), { timeout: 20_000 })
      .toBeGreaterThan(0);
    expect(await chart.getAttribute("data-step")).toBe("raw");
    expect(await chart.getAttribute("data-last")).toBe("228.75");
    await page.getByTestId("trend-24h").click();
    await expect.poll(async () => chart.getAttribute("data-step"), { timeout: 20_000 }).toBe("60000");
    expect(Number(await chart.getAttribute("data-points"))).toBeGreaterThan(0);
    // Nothing wider than the phone's screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await screenshot(page, "local-trend-360");
  });

  it("lets an operator probe the simulated meter and read the running config without its secrets", async () => {
    const page = await signIn("otto", "operator password");
    await page.getByTestId("tab-technician").click();
    await page.getByTestId("technician-page").waitFor();
    await expect
      .poll(async () => page.getByTestId("probe-device").inputValue(), { timeout: 10_000 })
      .toBe("meter-1");
    await page.getByTestId("probe-run").click();
    const voltage = page.locator('[data-testid="probe-point"][data-point="voltage"]');
    await voltage.waitFor({ timeout: 15_000 });
    expect((await voltage.getByTestId("probe-value").textContent())?.trim()).toBe("228.75 V");
    // A float32: all four byte/word orders, each with the profile line to copy.
    expect(await voltage.locator("li[data-order]").count()).toBe(4);
    expect(await voltage.locator("li.current .probe-line").textContent()).toMatch(
      /^register: \{ table: input, address: 0, type: float32/,
    );

    const config = page.getByTestId("running-config");
    await config.waitFor({ timeout: 10_000 });
    const text = (await config.textContent()) ?? "";
    expect(text).toContain('"gateway": "local-plant"');
    expect(text).toContain('"password": "********"');
    expect(text).not.toContain(NATS_PASSWORD);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await screenshot(page, "local-technician-360");
  });

  it("does not show the technician page to a viewer", async () => {
    const page = await signIn("vera", "viewer password");
    await page.locator('[data-testid="device-card"][data-device="meter-1"]').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId("tab-technician").count()).toBe(0);
    await page.goto(`${agent.url}/#/technician`);
    await page.getByTestId("technician-refused").waitFor({ timeout: 10_000 });
    expect(await page.getByTestId("probe-panel").count()).toBe(0);
    expect(await page.getByTestId("running-config").count()).toBe(0);
  });
});

describe("the fleet table", () => {
  it("sorts by a column header and filters by text and by offline", async () => {
    // A second gateway, stopped after its first heartbeat: the collector then counts it offline.
    const meter2 = await startMeter(22);
    defer(() => meter2.close());
    const second = await startAgent(
      meterAgentConfig({ gateway: "another-site", natsUrl: nats.url, meterPort: meter2.port }),
    );
    defer(() => second.stop());
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    defer(() => page.close());
    await page.goto(collectorUrl);
    const rows = page.getByTestId("gateway-row");
    await expect.poll(async () => rows.count(), { timeout: 20_000 }).toBe(2);
    await second.stop();
    await expect
      .poll(async () => page.getByTestId("offline-count").getAttribute("data-count"), { timeout: 60_000 })
      .toBe("1");

    const order = async () => rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-gateway")));
    expect(await order()).toEqual(["another-site", "local-plant"]);
    const idHeader = page.locator('th[data-sort="id"]');
    expect(await idHeader.getAttribute("aria-sort")).toBe("ascending");
    await idHeader.getByRole("button").click();
    expect(await idHeader.getAttribute("aria-sort")).toBe("descending");
    expect(await order()).toEqual(["local-plant", "another-site"]);
    // By keyboard: Enter on the status header puts the offline gateway first.
    const status = page.locator('th[data-sort="status"]');
    await status.getByRole("button").focus();
    await page.keyboard.press("Enter");
    expect(await status.getAttribute("aria-sort")).toBe("ascending");
    expect(await order()).toEqual(["another-site", "local-plant"]);

    await page.getByTestId("gateway-filter").fill("LOCAL");
    expect(await order()).toEqual(["local-plant"]);
    await page.getByTestId("gateway-filter").fill("");
    await page.getByTestId("only-offline").check();
    expect(await order()).toEqual(["another-site"]);
    expect(await page.getByTestId("gateways-shown").textContent()).toBe("1 of 2 shown");
    // The count at the top is of the whole fleet, whatever the table shows.
    expect(await page.getByTestId("offline-count").getAttribute("data-count")).toBe("1");
    await screenshot(page, "fleet-table-sorted");
  });
});
