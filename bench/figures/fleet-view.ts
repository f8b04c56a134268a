import { existsSync } from "node:fs";
import { join } from "node:path";
import { apiFetch, provideTestToken } from "../../test/e2e/helpers/auth.js";
import { launchChromium } from "../../test/e2e/helpers/browser.js";
import {
  FLEET_SIZE,
  openFleetView,
  PAGE_ROWS,
  startFleet,
  timeFilter,
} from "../../test/e2e/helpers/fleet-view.js";
import { scoped } from "../lib/cleanup.js";
import type { Emit } from "../lib/figure.js";
import { percentile } from "../lib/stats.js";

/** p99 (and median) of `n` sequential GET /api/v1/gateways?limit=100, walking the pages. */
export async function gatewaysApiTimes(url: string, n = 200) {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const offset = (i % (FLEET_SIZE / PAGE_ROWS)) * PAGE_ROWS;
    const start = performance.now();
    const res = await apiFetch(`${url}/api/v1/gateways?limit=${PAGE_ROWS}&offset=${offset}`);
    const body = (await res.json()) as { gateways: unknown[] };
    times.push(performance.now() - start);
    if (!res.ok || body.gateways.length !== PAGE_ROWS)
      throw new Error(`GET /api/v1/gateways: HTTP ${res.status}, ${body.gateways?.length} gateways`);
  }
  return { p99: percentile(times, 99), p50: percentile(times, 50) };
}

const round1 = (ms: number) => Math.round(ms * 10) / 10;

/**
 * fleet.view.first_render_ms, fleet.view.filter_ms and fleet.api.gateways_p99_ms: the collector's
 * fleet view in Chromium with 1,000 gateways beating every second (50 of them gone silent).
 */
export async function fleetViewFigures(emit: Emit, root: string): Promise<void> {
  for (const file of ["collector/dist/cli.js", "collector/dist/public/app.js"])
    if (!existsSync(join(root, file)))
      throw new Error(`fleet-view: ${file} missing; run npm run build first`);
  if (!process.env.TIDEGATE_API_TOKEN_FILE) provideTestToken();
  const fleet = await startFleet();
  await scoped(fleet, fleet.dispose, async () => {
    const browser = await launchChromium();
    await scoped(
      browser,
      () => browser.close(),
      async () => {
        // The figure is the first visit's (nothing cached); a second visit is noted beside it.
        const first = await openFleetView(browser, fleet.collector.url);
        const firstRenderMs = first.firstRenderMs;
        await first.page.close();
        const { page, firstRenderMs: againMs } = await openFleetView(browser, fleet.collector.url);
        await page.getByTestId("fleet-summary").waitFor({ timeout: 10_000 });
        const filters: number[] = [];
        for (const id of ["gw-0042", "gw-0777", "gw-0500"]) {
          filters.push(await timeFilter(page, id, 1));
          await timeFilter(page, "", PAGE_ROWS);
        }
        const filterMs = percentile(filters, 50);
        await page.close();
        const api = await gatewaysApiTimes(fleet.collector.url, 200);
        emit({
          name: "fleet.view.first_render_ms",
          value: round1(firstRenderMs),
          unit: "ms",
          budget: { max: 1000 },
          note:
            `Chromium opening the collector's fleet view with ${FLEET_SIZE} gateways beating every second: ` +
            `navigation start until the table's first ${PAGE_ROWS} rows are in the DOM, first visit ` +
            `(a second visit: ${round1(againMs)} ms)`,
        });
        emit({
          name: "fleet.view.filter_ms",
          value: round1(filterMs),
          unit: "ms",
          budget: { max: 100 },
          note:
            `typing a gateway id into the table filter (one input event) until the one matching row ` +
            `is shown and the next frame painted; median of ${filters.map((f) => round1(f)).join(", ")} ms`,
        });
        emit({
          name: "fleet.view.api_gateways_p99_ms",
          value: round1(api.p99),
          unit: "ms",
          budget: { max: 50 },
          note:
            `p99 of 200 sequential GET /api/v1/gateways?limit=${PAGE_ROWS} (walking the offsets) against ` +
            `the collector with ${FLEET_SIZE} gateways beating; median ${round1(api.p50)} ms`,
        });
      },
    );
  });
}
