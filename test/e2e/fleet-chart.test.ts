import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { batchMsgId, encodeBatch, type SequencedReading, subjects } from "@tidegate/protocol";
import type { ModbusTcpSimulator } from "@tidegate/simulators";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authHeaders } from "./helpers/auth.js";
import { launchChromium, screenshot } from "./helpers/browser.js";
import { type NatsServer, startNatsServer } from "./helpers/nats.js";
import { meterAgentConfig, startMeter } from "./helpers/system.js";
import { type Started, startAgent, startCollector } from "./helpers/tidegate.js";
import { waitFor } from "./helpers/wait.js";

// The fleet chart in a real Chromium against real processes: a live gateway (agent polling a
// simulated meter) and a second gateway whose day of history is published to JetStream as an
// agent's backfill would be, so long ranges are downsampled and get a min–max band.

const LIVE = "chart-plant";
const HISTORY = "chart-history";
const DAY = 86_400_000;

let nats: NatsServer;
let meter: ModbusTcpSimulator;
let collector: Started;
let agent: Started;
let browser: Browser;

/** 24 h of voltage and current every 20 s, ending now, published in batches like an agent's. */
async function publishHistory(url: string): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    const js = jetstream(nc);
    const end = Date.now() - 60_000;
    const readings: SequencedReading[] = [];
    for (let k = 0; k < DAY / 20_000; k++) {
      const ts = end - DAY + k * 20_000;
      const good = { ts, device: "meter-1", quality: "good" as const };
      readings.push({
        ...good,
        seq: 2 * k + 1,
        point: "voltage",
        value: 230 + 8 * Math.sin(k / 40) + (k % 3),
      });
      readings.push({
        ...good,
        seq: 2 * k + 2,
        point: "current",
        value: 5 + Math.sin(k / 25) + (k % 2) * 0.4,
      });
    }
    for (let i = 0; i < readings.length; i += 500) {
      const chunk = readings.slice(i, i + 500);
      const msgID = batchMsgId(HISTORY, chunk[0]?.seq ?? 0, chunk.at(-1)?.seq ?? 0);
      // The collector creates the stream when it starts; retry until it exists.
      await waitFor("the telemetry stream to take a history batch", async () => {
        await js.publish(subjects.telemetry(HISTORY), encodeBatch(HISTORY, chunk), { msgID });
        return true;
      });
    }
  } finally {
    await nc.close();
  }
}

beforeAll(async () => {
  nats = await startNatsServer();
  meter = await startMeter(3);
  collector = await startCollector(nats.url);
  agent = await startAgent(meterAgentConfig({ gateway: LIVE, natsUrl: nats.url, meterPort: meter.port }));
  await publishHistory(nats.url);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await agent?.stop();
  await collector?.stop();
  await meter?.close().catch(() => {});
  await nats?.dispose();
});

interface Opened {
  context: BrowserContext;
  page: Page;
  /** Every /api/v1/series request the page made, in order. */
  queries: URL[];
  errors: string[];
}

/**
 * The fleet view at `hash`, recording series queries and page errors. Every request carries the
 * tests' API token (the dashboard's own sign-in is not what these tests are about).
 */
async function open(hash: string, viewport = { width: 1280, height: 800 }): Promise<Opened> {
  const context = await browser.newContext({ viewport, locale: "en-US", extraHTTPHeaders: authHeaders });
  const page = await context.newPage();
  const queries: URL[] = [];
  const errors: string[] = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (url.pathname === "/api/v1/series") queries.push(url);
  });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) errors.push(m.text());
  });
  await page.goto(`${collector.url}/${hash}`);
  return { context, page, queries, errors };
}

const twoPoints = (gw: string) => `#gw=${gw}&series=meter-1/voltage&series=meter-1/current`;
const span = (u: URL) => Number(u.searchParams.get("to")) - Number(u.searchParams.get("from"));

/** Waits for a series query after `before` queries that passes `check`, and returns it. */
async function nextQuery(o: Opened, before: number, check: (u: URL) => boolean): Promise<URL> {
  return waitFor(
    () => `a series query matching the check after #${before}; saw ${o.queries.map(String).join("\n")}`,
    () => o.queries.slice(before).find(check),
    15_000,
  );
}

async function chartDrawn(page: Page, series: number): Promise<void> {
  const chart = page.getByTestId("chart");
  await expect.poll(async () => chart.getAttribute("data-series"), { timeout: 15_000 }).toBe(String(series));
  await expect
    .poll(async () => chart.getAttribute("data-counts"), { timeout: 20_000 })
    .toMatch(new RegExp(`^[1-9]\\d*(,[1-9]\\d*){${series - 1}}$`));
}

describe("fleet chart in Chromium", () => {
  it("charts two points on one time axis with one request, appends live values, and pans", async () => {
    const o = await open(twoPoints(LIVE));
    const { page } = o;
    const chart = page.getByTestId("chart");
    await chartDrawn(page, 2);
    expect(await chart.locator("canvas").count()).toBe(1);
    const first = o.queries[0] as URL;
    expect(first.searchParams.getAll("series")).toEqual([
      `${LIVE}/meter-1/voltage`,
      `${LIVE}/meter-1/current`,
    ]);
    expect(first.searchParams.get("agg")).toBe("minmax");
    expect(span(first)).toBe(15 * 60_000);
    expect(await page.getByTestId("legend-item").allTextContents()).toEqual([
      expect.stringContaining("meter-1 / voltage"),
      expect.stringContaining("meter-1 / current"),
    ]);

    // A value set on the device shows up live, pushed by the collector between polls.
    meter.set("voltage", 241.5);
    const voltage = page.locator('[data-testid="legend-item"][data-series="meter-1 / voltage"]');
    await expect.poll(async () => voltage.getAttribute("data-last"), { timeout: 10_000 }).toBe("241.5");
    expect(Number(await chart.getAttribute("data-live"))).toBeGreaterThan(0);
    await screenshot(page, "fleet-chart-two-points");

    // Arrow keys on the focused chart pan half a window back: a fixed window, no longer live.
    const lastTo = Number(o.queries.at(-1)?.searchParams.get("to"));
    let before = o.queries.length;
    await chart.focus();
    await page.keyboard.press("ArrowLeft");
    const panned = await nextQuery(o, before, (u) => span(u) === 15 * 60_000);
    expect(Number(panned.searchParams.get("to"))).toBeLessThan(lastTo - 7 * 60_000 + 10_000);
    expect(Number(panned.searchParams.get("to"))).toBeGreaterThan(lastTo - 8 * 60_000);
    await expect.poll(async () => chart.getAttribute("data-following")).toBe("false");
    expect(await page.getByTestId("live-badge").getAttribute("data-live")).toBe("false");

    // The later button brings it back to now, following the clock again.
    await page.getByTestId("pan-later").click();
    await expect.poll(async () => chart.getAttribute("data-following")).toBe("true");
    expect(await page.getByTestId("range-15m").getAttribute("aria-pressed")).toBe("true");

    // A custom window, typed into the date-time inputs, is what gets queried.
    await page.getByTestId("range-custom").click();
    const inputs = await page.evaluate(() => {
      const pad = (n: number) => String(n).padStart(2, "0");
      const local = (ms: number) => {
        const d = new Date(ms);
        return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
      };
      const to = Math.floor(Date.now() / 60_000) * 60_000 - 60 * 60_000;
      return { from: local(to - 2 * 3_600_000), to: local(to), fromMs: to - 2 * 3_600_000, toMs: to };
    });
    await page.getByTestId("custom-from").fill(inputs.from);
    await page.getByTestId("custom-to").fill(inputs.to);
    before = o.queries.length;
    await page.getByTestId("custom-apply").click();
    const custom = await nextQuery(o, before, (u) => span(u) === 2 * 3_600_000);
    expect(Number(custom.searchParams.get("from"))).toBe(inputs.fromMs);
    expect(Number(custom.searchParams.get("to"))).toBe(inputs.toMs);
    await expect.poll(async () => chart.getAttribute("data-following")).toBe("false");

    // Reset returns to the preset last picked.
    await page.getByTestId("zoom-reset").click();
    await expect.poll(async () => page.getByTestId("range-15m").getAttribute("aria-pressed")).toBe("true");
    expect(o.errors).toEqual([]);
    await o.context.close();
  });

  it("draws a min–max band when downsampled, and a drag zooms in with a finer query", async () => {
    const o = await open(twoPoints(HISTORY));
    const { page } = o;
    const chart = page.getByTestId("chart");
    await page.getByTestId("range-24h").click();
    await expect.poll(async () => chart.getAttribute("data-step"), { timeout: 20_000 }).toBe("60000");
    await chartDrawn(page, 2);
    expect(await chart.getAttribute("data-band")).toBe("true");
    expect(await page.getByTestId("chart-step").textContent()).toMatch(/min–max/);
    await screenshot(page, "fleet-chart-band-24h");
    const day = o.queries.at(-1) as URL;
    expect(span(day)).toBe(DAY);

    // Drag across the middle tenth of the plot: the window becomes that tenth, asked for again.
    const over = chart.locator(".u-over");
    // The fleet view's panels above (rollouts, summary) may push the chart below the fold.
    await over.scrollIntoViewIfNeeded();
    const box = await over.boundingBox();
    if (!box) throw new Error("the chart has no plot area");
    const before = o.queries.length;
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    const zoomed = await nextQuery(o, before, (u) => span(u) < DAY / 2);
    expect(span(zoomed) / DAY).toBeGreaterThan(0.08);
    expect(span(zoomed) / DAY).toBeLessThan(0.12);
    const dayFrom = Number(day.searchParams.get("from"));
    expect(Number(zoomed.searchParams.get("from"))).toBeGreaterThan(dayFrom + DAY * 0.35);
    expect(Number(zoomed.searchParams.get("to"))).toBeLessThan(dayFrom + DAY * 0.55);
    expect(zoomed.searchParams.getAll("series")).toEqual(day.searchParams.getAll("series"));

    // The finer window comes back at a finer step, and past data is not followed live.
    await expect
      .poll(
        async () => {
          const step = await chart.getAttribute("data-step");
          return step === "raw" || (Number(step) > 0 && Number(step) < 60_000);
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    await chartDrawn(page, 2);
    expect(await chart.getAttribute("data-following")).toBe("false");
    await screenshot(page, "fleet-chart-zoomed");

    // The CSV is exactly what is shown: same series, window, and the step drawn.
    const href = (await page.getByTestId("csv-link").getAttribute("href")) as string;
    const csv = new URL(href, `${collector.url}/`);
    expect(csv.pathname).toBe("/api/v1/series.csv");
    for (const key of ["from", "to", "agg"])
      expect(csv.searchParams.get(key)).toBe(zoomed.searchParams.get(key));
    expect(csv.searchParams.get("step")).toBe(await chart.getAttribute("data-step"));
    const body = await (await o.context.request.get(csv.toString())).text();
    const lines = body.trim().split("\n");
    expect(lines[0]).toBe(`time,${HISTORY}/meter-1/voltage,${HISTORY}/meter-1/current`);
    expect(lines.length).toBeGreaterThan(10);
    expect(o.errors).toEqual([]);
    await o.context.close();
  });

  it("switches to a dark theme and to German, and remembers both", async () => {
    const o = await open(twoPoints(LIVE));
    const { page } = o;
    await chartDrawn(page, 2);
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await background();
    expect(light).toBe("rgb(243, 245, 248)");
    await page.getByTestId("theme-toggle").click();
    await expect.poll(background).toBe("rgb(15, 19, 24)");
    expect(await page.getByTestId("theme-toggle").getAttribute("aria-pressed")).toBe("true");

    await page.getByTestId("lang-select").selectOption("de");
    await expect.poll(async () => page.getByTestId("range-custom").textContent()).toBe("Eigener");
    expect(await page.getByTestId("pan-earlier").getAttribute("aria-label")).toBe("Früher");
    expect(await page.locator("html").getAttribute("lang")).toBe("de");

    await page.reload();
    await chartDrawn(page, 2);
    expect(await background()).toBe("rgb(15, 19, 24)");
    await expect.poll(async () => page.getByTestId("range-custom").textContent()).toBe("Eigener");
    await screenshot(page, "fleet-chart-dark-de");
    expect(o.errors).toEqual([]);
    await o.context.close();
  });

  it("fits a 360 px phone without sideways scrolling, and the chart is reachable by keyboard", async () => {
    const o = await open(twoPoints(LIVE), { width: 360, height: 740 });
    const { page } = o;
    await chartDrawn(page, 2);
    const widths = await page.evaluate(() => ({
      page: document.scrollingElement?.scrollWidth ?? Number.POSITIVE_INFINITY,
      canvas: document.querySelector('[data-testid="chart"] canvas')?.getBoundingClientRect().width ?? 0,
    }));
    expect(widths.page).toBeLessThanOrEqual(360);
    expect(widths.canvas).toBeGreaterThan(200);
    expect(widths.canvas).toBeLessThanOrEqual(360);

    let focused: string | null = null;
    for (let i = 0; i < 60 && focused !== "chart"; i++) {
      await page.keyboard.press("Tab");
      focused = await page.evaluate(() => document.activeElement?.getAttribute("data-testid") ?? null);
    }
    expect(focused).toBe("chart");
    await screenshot(page, "fleet-chart-phone");
    expect(o.errors).toEqual([]);
    await o.context.close();
  });
});
