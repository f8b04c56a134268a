import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, screenshot } from "./helpers/browser.js";
import {
  FLEET_SIZE,
  isAlerting,
  isBacklogged,
  openFleetView,
  PAGE_ROWS,
  type RunningFleet,
  SITES,
  startFleet,
  timeFilter,
} from "./helpers/fleet-view.js";

// The collector's fleet view with 1,000 gateways, fed by real heartbeats (one NATS connection,
// every gateway once a second) through a real nats-server and collector; 50 of them go silent.
// Timings are logged, never asserted: bench/figures/fleet-view.ts holds them to budgets.

let fleet: RunningFleet;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  fleet = await startFleet();
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await fleet?.dispose();
});

const rows = () => page.getByTestId("gateway-row");
const ids = () => rows().evaluateAll((els) => els.map((e) => e.getAttribute("data-gateway")));
const summaryCount = (status: string) =>
  page.locator(`[data-testid="summary-status"][data-status="${status}"]`).getAttribute("data-count");

describe("the fleet view with 1,000 gateways", () => {
  it("shows the collector's counts, a page of 100 rows, and filters by status and text", async () => {
    const opened = await openFleetView(browser, fleet.collector.url);
    page = opened.page;
    console.log(
      `fleet view: first ${PAGE_ROWS} rows rendered ${opened.firstRenderMs.toFixed(1)} ms after navigation`,
    );

    await expect
      .poll(() => page.getByTestId("offline-count").getAttribute("data-count"), { timeout: 15_000 })
      .toBe("50");
    await page.getByTestId("fleet-summary").waitFor();
    expect(await summaryCount("online")).toBe("950");
    expect(await summaryCount("offline")).toBe("50");
    expect(await summaryCount("alerting")).toBe(String(fleet.ids.filter(isAlerting).length));
    expect(await summaryCount("backlogged")).toBe(String(fleet.ids.filter(isBacklogged).length));
    // A line per site: 200 gateways each, 10 of them silent.
    const sites = page.getByTestId("site-row");
    expect(await sites.count()).toBe(SITES.length);
    for (const site of SITES) {
      const row = page.locator(`[data-testid="site-row"][data-site="${site}"]`);
      expect(await row.locator('td[data-status="offline"]').textContent()).toBe("10");
    }

    expect(await rows().count()).toBe(PAGE_ROWS);
    expect((await ids())[0]).toBe("gw-0001");
    expect(await page.getByTestId("page-info").textContent()).toBe(
      `1–100 of ${FLEET_SIZE.toLocaleString("en")}`,
    );
    expect(await page.getByTestId("page-prev").isDisabled()).toBe(true);

    // Next page, and back.
    await page.getByTestId("page-next").click();
    expect(await page.getByTestId("page-info").textContent()).toBe("101–200 of 1,000");
    expect((await ids())[0]).toBe("gw-0101");
    expect(await rows().count()).toBe(PAGE_ROWS);
    await page.getByTestId("page-prev").click();
    expect((await ids())[0]).toBe("gw-0001");
    await page.getByTestId("page-next").click();

    // The status filter: exactly the 50 silent gateways, on one page (the page went back to 1).
    await page.getByTestId("status-filter").selectOption("offline");
    await expect.poll(() => rows().count()).toBe(50);
    expect((await ids()).sort()).toEqual([...fleet.silent].sort());
    expect(await page.getByTestId("page-info").textContent()).toBe("1–50 of 50");
    expect(await page.getByTestId("page-next").isDisabled()).toBe(true);
    expect(await page.getByTestId("gateways-shown").textContent()).toBe("50 of 1000 shown");
    await page.getByTestId("status-filter").selectOption("all");
    await expect.poll(() => rows().count()).toBe(PAGE_ROWS);

    // A status count in the summary sets the same filter; clicked again, it clears it.
    await page.locator('[data-testid="summary-status"][data-status="alerting"]').click();
    expect(await page.getByTestId("status-filter").inputValue()).toBe("alerting");
    await expect.poll(() => rows().count()).toBe(fleet.ids.filter(isAlerting).length);
    await page.locator('[data-testid="summary-status"][data-status="alerting"]').click();
    expect(await page.getByTestId("status-filter").inputValue()).toBe("all");
    await expect.poll(() => rows().count()).toBe(PAGE_ROWS);

    // The text filter finds one gateway out of 1,000.
    const filterMs = await timeFilter(page, "gw-0042", 1);
    console.log(`fleet view: text filter applied in ${filterMs.toFixed(1)} ms`);
    expect(await ids()).toEqual(["gw-0042"]);
    expect(await page.getByTestId("page-info").textContent()).toBe("1–1 of 1");
    await page.getByTestId("gateway-filter").fill("");
    await expect.poll(() => rows().count()).toBe(PAGE_ROWS);

    // The whole fleet's offline count stays, whatever the table shows.
    expect(await page.getByTestId("offline-count").getAttribute("data-count")).toBe("50");
    await screenshot(page, "fleet-view-1000");
  });
});
