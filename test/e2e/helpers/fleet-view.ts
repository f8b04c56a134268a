import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { encodeHeartbeat, type Heartbeat, subjects } from "@tidegate/protocol";
import type { Browser, Page } from "playwright-core";
import { heartbeatAt } from "../../helpers/heartbeat.js";
import { type NatsServer, startNatsServer } from "./nats.js";
import { type Restartable, startCollector } from "./tidegate.js";
import { getJson, waitFor } from "./wait.js";

// A fleet of 1,000 gateways on the collector's fleet view, fed by real heartbeats over NATS:
// test/e2e/fleet-view.test.ts checks what the view shows, bench/figures/fleet-view.ts times it.

export const FLEET_SIZE = 1000;
export const PAGE_ROWS = 100;
export const SITES = ["Harbour North", "Harbour South", "Plant East", "Plant West", "Depot"] as const;
/** Offline after 3 s without a heartbeat, so going silent shows within seconds. */
export const OFFLINE_AFTER_S = 3;

/** gw-0001 … gw-1000. */
export const gatewayIds = (n = FLEET_SIZE) =>
  Array.from({ length: n }, (_, i) => `gw-${String(i + 1).padStart(4, "0")}`);
/** Every 20th gateway stops beating: 50 of 1,000, spread over every site and page. */
export const goesSilent = (id: string) => Number(id.slice(3)) % 20 === 0;
/** Ten gateways hold an edge alert raised, ten a backlog (none of them goes silent). */
export const isAlerting = (id: string) => Number(id.slice(3)) % 100 === 7;
export const isBacklogged = (id: string) => Number(id.slice(3)) % 100 === 3;

/** The collector learns sites from its sites file (TIDEGATE_SITES_FILE): 200 gateways per site, in id order. */
export function sitesYaml(ids: readonly string[]): string {
  const per = Math.ceil(ids.length / SITES.length);
  const lines = ["sites:"];
  SITES.forEach((site, s) => {
    const of = ids.slice(s * per, (s + 1) * per);
    if (of.length) lines.push(`  "${site}": [${of.join(", ")}]`);
  });
  return `${lines.join("\n")}\n`;
}

function beat(id: string, startedAt: number): Heartbeat {
  const now = Date.now();
  return heartbeatAt(id, now, {
    version: "1.4.2",
    uptimeS: Math.round((now - startedAt) / 1000),
    backlog: isBacklogged(id) ? 1200 : 0,
    oldestUnsentAgeMs: isBacklogged(id) ? 90_000 : null,
    activeAlerts: isAlerting(id)
      ? [
          {
            rule: "tank-high",
            device: "tank-1",
            severity: "warning",
            since: startedAt,
            message: "level high",
          },
        ]
      : [],
  });
}

export interface HeartbeatFleet {
  /** Stops beating for these gateways; the collector then counts them offline. */
  silence(ids: readonly string[]): void;
  /** Rounds of heartbeats published so far. */
  rounds(): number;
  stop(): Promise<void>;
}

/** Publishes a heartbeat for every gateway once a second, over one NATS connection. */
export async function startHeartbeatFleet(
  natsUrl: string,
  ids: readonly string[],
  everyMs = 1000,
): Promise<HeartbeatFleet> {
  const nc = await connect({ servers: natsUrl });
  const quiet = new Set<string>();
  const startedAt = Date.now();
  let rounds = 0;
  let stopped = false;
  const round = async () => {
    for (const id of ids)
      if (!quiet.has(id)) nc.publish(subjects.status(id), encodeHeartbeat(beat(id, startedAt)));
    rounds += 1;
    await nc.flush();
  };
  await round();
  const timer = setInterval(() => {
    if (!stopped) round().catch(() => {});
  }, everyMs);
  return {
    silence: (list) => {
      for (const id of list) quiet.add(id);
    },
    rounds: () => rounds,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await nc.drain().catch(() => nc.close());
    },
  };
}

export interface FleetCounts {
  total: { gateways: number; online: number; offline: number; alerting: number; backlogged: number };
  sites: { site: string | null; gateways: number; online: number; offline: number }[];
}

export interface RunningFleet {
  nats: NatsServer;
  collector: Restartable;
  beats: HeartbeatFleet;
  ids: string[];
  silent: string[];
  counts(): Promise<FleetCounts>;
  dispose(): Promise<void>;
}

/**
 * nats-server, the built collector with a sites file, and 1,000 gateways beating; returns once the
 * collector counts all of them online and then, the silent 50 having stopped, those 50 offline.
 */
export async function startFleet(): Promise<RunningFleet> {
  const ids = gatewayIds();
  const silent = ids.filter(goesSilent);
  const dir = mkdtempSync(join(tmpdir(), "tidegate-fleet-view-"));
  const sitesFile = join(dir, "sites.yaml");
  writeFileSync(sitesFile, sitesYaml(ids));
  const undo: (() => Promise<unknown> | unknown)[] = [() => rmSync(dir, { recursive: true, force: true })];
  const dispose = async () => {
    for (const fn of undo.reverse()) await Promise.resolve(fn()).catch(() => {});
    undo.length = 0;
  };
  try {
    const nats = await startNatsServer();
    undo.push(() => nats.dispose());
    const collector = await startCollector(nats.url, {
      env: { TIDEGATE_OFFLINE_AFTER_S: String(OFFLINE_AFTER_S), TIDEGATE_SITES_FILE: sitesFile },
    });
    undo.push(() => collector.stop());
    const counts = () => getJson<FleetCounts>(`${collector.url}/api/v1/fleet`);
    const beats = await startHeartbeatFleet(nats.url, ids);
    undo.push(() => beats.stop());
    await waitFor(
      `all ${FLEET_SIZE} gateways online`,
      async () => {
        const c = await counts();
        return c.total.gateways === FLEET_SIZE && c.total.online === FLEET_SIZE;
      },
      30_000,
      250,
    ).catch(async (err: Error) => {
      const c = await counts().catch(() => null);
      throw new Error(
        `${err.message}; counts ${JSON.stringify(c?.total)}\n${collector.output().slice(-3000)}`,
      );
    });
    beats.silence(silent);
    await waitFor(
      `${silent.length} silent gateways offline`,
      async () => {
        const c = await counts();
        return c.total.offline === silent.length && c.total.online === FLEET_SIZE - silent.length;
      },
      30_000,
      250,
    );
    return { nats, collector, beats, ids, silent, counts, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

declare global {
  interface Window {
    /** performance.now() when the gateway table first showed a full page of rows. */
    __fleetTableAt?: number;
  }
}

/**
 * Opens the fleet view and returns the time from navigation start until the table shows its
 * first page (`rows` rows), as the page's own clock saw it (a MutationObserver installed before
 * any script runs). Includes loading the app, fetching the 1,000 gateways and rendering.
 */
export async function openFleetView(browser: Browser, url: string, rows = PAGE_ROWS) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  // Plain strings, not functions: a runner that keeps function names (tsx) would send helpers along.
  await page.addInitScript(`{
    const observer = new MutationObserver(() => {
      if (window.__fleetTableAt === undefined &&
          document.querySelectorAll('[data-testid="gateway-row"]').length >= ${rows}) {
        window.__fleetTableAt = performance.now();
        observer.disconnect();
      }
    });
    observer.observe(document, { childList: true, subtree: true });
  }`);
  await page.goto(url);
  // Polled from here: the dashboard's CSP forbids the eval a string predicate of waitForFunction needs.
  const firstRenderMs = await waitFor(
    `the fleet table's first ${rows} rows`,
    async () => (await page.evaluate("window.__fleetTableAt")) as number | undefined,
    30_000,
    50,
  );
  return { page, firstRenderMs };
}

/**
 * Types `text` into the table's filter in one input event and returns the ms until exactly
 * `expectRows` rows are in the DOM and the next frame was painted.
 */
export async function timeFilter(page: Page, text: string, expectRows: number): Promise<number> {
  const args = JSON.stringify({ text, expectRows });
  return (await page.evaluate(`(async ({ text, expectRows }) => {
    const input = document.querySelector('[data-testid="gateway-filter"]');
    if (!input) throw new Error("no gateway filter");
    const count = () => document.querySelectorAll('[data-testid="gateway-row"]').length;
    const start = performance.now();
    input.value = text;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    await new Promise((resolve, reject) => {
      if (count() === expectRows) return resolve();
      const observer = new MutationObserver(() => {
        if (count() !== expectRows) return;
        observer.disconnect();
        clearTimeout(timer);
        resolve();
      });
      const timer = setTimeout(() => {
        observer.disconnect();
        reject(new Error("filter " + JSON.stringify(text) + ": " + count() + " rows, expected " + expectRows));
      }, 10000);
      observer.observe(document.body, { childList: true, subtree: true });
    });
    // The frame that shows it: after the next animation frame's paint.
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    return performance.now() - start;
  })(${args})`)) as number;
}
