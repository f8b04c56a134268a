import type { Browser, Locator } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiFetch } from "./helpers/auth.js";
import { launchChromium, screenshot } from "./helpers/browser.js";
import { type System, startSystem } from "./helpers/system.js";

// Both dashboards in a real Chromium against the real agent and collector processes.

let sys: System;
let browser: Browser;

beforeAll(async () => {
  sys = await startSystem("browser-plant");
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

describe("dashboards in Chromium", () => {
  it("the agent's local view lists devices with their latest values and units", async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    // The security headers' content policy must not block anything the dashboard does.
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) errors.push(m.text());
    });
    await page.goto(sys.agent.url);
    await page.locator('[data-testid="device-card"][data-device="meter-1"]').waitFor();
    await page.locator('[data-testid="device-card"][data-device="climate-1"]').waitFor();
    const voltage = page.locator(
      '[data-testid="point-row"][data-device="meter-1"][data-point="voltage"] [data-testid="point-value"]',
    );
    await expect
      .poll(async () => voltage.textContent(), { timeout: 10_000 })
      .toMatch(/^\s*2\d\d(\.\d)?\s*V\s*$/); // a float of unknown resolution: about four significant digits
    const humidity = page.locator(
      '[data-testid="point-row"][data-device="climate-1"][data-point="humidity"] [data-testid="point-value"]',
    );
    // uint16 × 0.1 in the profile: exactly one digit after the point.
    await expect
      .poll(async () => humidity.textContent(), { timeout: 10_000 })
      .toMatch(/^\s*\d+\.\d\s*%RH\s*$/);
    await expect
      .poll(async () => page.getByTestId("uplink-status").getAttribute("data-connected"), { timeout: 10_000 })
      .toBe("true");
    expect(await page.getByTestId("gateway-id").textContent()).toBe("browser-plant");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("the collector's fleet view lists the gateway and draws a chart of a point", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    // The security headers' content policy must not block anything the dashboard does.
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) errors.push(m.text());
    });
    await page.goto(sys.collector.url);
    const row = page.locator('[data-testid="gateway-row"][data-gateway="browser-plant"]');
    await row.waitFor({ timeout: 15_000 });
    await expect
      .poll(async () => row.getByTestId("gateway-status").textContent(), { timeout: 10_000 })
      .toMatch(/online/i);
    expect(await page.getByTestId("offline-count").getAttribute("data-count")).toBe("0");

    await row.click();
    const select = page.getByTestId("series-select");
    await expect.poll(async () => select.locator("option").count(), { timeout: 15_000 }).toBeGreaterThan(5);
    // The gateway's first measurement is charted (climate-1 / device_address, a setting, sorts
    // first); voltage joins it unless it is that first point.
    const voltageItem = page.locator('[data-testid="legend-item"][data-series="meter-1 / voltage"]');
    const first = page.getByTestId("legend-item").first();
    await first.waitFor({ timeout: 15_000 });
    // Until the gateway's catalog has reached the collector no point has a unit, so poll.
    await expect
      .poll(async () => first.getAttribute("data-series"), { timeout: 15_000 })
      .not.toBe("climate-1 / device_address");
    await expect
      .poll(async () => first.locator(".legend-value").textContent(), { timeout: 15_000 })
      .toMatch(/\d \S+$/);
    if ((await voltageItem.count()) === 0)
      await select.selectOption({ label: await pickLabel(select, "voltage") });
    await voltageItem.waitFor({ timeout: 10_000 });
    const chart = page.getByTestId("chart");
    // uPlot draws on a canvas; the chart has data once its series have samples with values.
    await expect.poll(async () => chart.locator("canvas").count(), { timeout: 15_000 }).toBe(1);
    await expect
      .poll(async () => chart.getAttribute("data-points"), { timeout: 15_000 })
      .toMatch(/^[1-9]\d*$/);

    // A value set on the device shows up live, pushed by the collector between polls.
    sys.meter.set("voltage", 241.5);
    await expect.poll(async () => voltageItem.getAttribute("data-last"), { timeout: 10_000 }).toBe("241.5");
    expect(Number(await chart.getAttribute("data-live"))).toBeGreaterThan(0);

    // A longer range asks the collector again; the CSV link downloads what is shown.
    const csv = page.getByTestId("csv-link");
    expect(await csv.getAttribute("href")).toMatch(
      /^api\/v1\/series\.csv\?(series=[^&]+&)*series=browser-plant%2Fmeter-1%2Fvoltage(&series=[^&]+)*&from=\d+&to=\d+&step=(raw|\d+)&agg=minmax$/,
    );
    await page.getByTestId("range-24h").click();
    expect(await page.getByTestId("range-24h").getAttribute("aria-pressed")).toBe("true");
    await expect
      .poll(
        async () => {
          const href = (await csv.getAttribute("href")) ?? "";
          return Number(/to=(\d+)/.exec(href)?.[1]) - Number(/from=(\d+)/.exec(href)?.[1]);
        },
        { timeout: 15_000 },
      )
      .toBe(86_400_000);
    await expect
      .poll(async () => Number((await chart.getAttribute("data-points")) ?? 0), { timeout: 15_000 })
      .toBeGreaterThan(0);
    const href = (await csv.getAttribute("href")) as string;
    const body = await (await apiFetch(new URL(href, sys.collector.url))).text();
    const header = body.split("\n")[0]?.split(",") ?? [];
    expect(header[0]).toBe("time");
    expect(header).toContain("browser-plant/meter-1/voltage");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows a device as failing, with the reason in words, when it stops answering", async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    await page.goto(sys.agent.url);
    const card = page.locator('[data-testid="device-card"][data-device="climate-1"]');
    await card.waitFor({ timeout: 15_000 });
    sys.climate.silence(true);
    try {
      await expect.poll(async () => card.getAttribute("data-status"), { timeout: 20_000 }).toBe("failing");
      expect(await card.textContent()).toMatch(/no answer|timed out|timeout/i);
      await screenshot(page, "local-view-failing-device");
    } finally {
      sys.climate.silence(false);
    }
    await expect.poll(async () => card.getAttribute("data-status"), { timeout: 20_000 }).toBe("ok");
    await page.close();
  });

  it("speaks German to a browser that prefers it", async () => {
    const page = await browser.newPage({ locale: "de-DE", viewport: { width: 360, height: 740 } });
    await page.goto(sys.agent.url);
    await expect
      .poll(async () => page.locator("#uplink-title").textContent(), { timeout: 15_000 })
      .toBe("Uplink & Puffer");
    expect(await page.locator("html").getAttribute("lang")).toBe("de");
    await page.close();
  });
});

async function pickLabel(select: Locator, point: string): Promise<string> {
  const labels = await select.locator("option").allTextContents();
  const label = labels.find((l) => l.includes(point));
  if (!label) throw new Error(`no option for ${point} among ${labels.join(", ")}`);
  return label;
}
