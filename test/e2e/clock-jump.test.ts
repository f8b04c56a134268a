import { connect, type NatsConnection } from "@nats-io/transport-node";
import { encodeHeartbeat, subjects } from "@tidegate/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { heartbeatAt } from "../helpers/heartbeat.js";
import { launchChromium, screenshot } from "./helpers/browser.js";
import { type NatsServer, startNatsServer } from "./helpers/nats.js";
import { type Restartable, startCollector } from "./helpers/tidegate.js";
import { getJson, waitFor } from "./helpers/wait.js";

// A gateway whose clock steps (NTP correcting a drifted RTC, a hand-set date) is flagged on the
// fleet view, and the flag survives a collector restart; a gateway that is merely skewed is not.
// The heartbeats are published the way an agent does, with its clock in `ts`.

interface Gateways {
  gateways: { id: string; clockJump?: { at: number; ms: number }; clockSkewed?: boolean }[];
}

let nats: NatsServer;
let nc: NatsConnection;
let collector: Restartable;

const beat = (gateway: string, offsetMs: number) =>
  heartbeatAt(gateway, Date.now() + offsetMs, { version: "0.0.0-test", epoch: 1 });

async function publishBeats(offsets: Record<string, number>, count: number) {
  for (let i = 0; i < count; i++) {
    for (const [gateway, offset] of Object.entries(offsets))
      nc.publish(subjects.status(gateway), encodeHeartbeat(beat(gateway, offset)));
    await nc.flush();
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  nats = await startNatsServer();
  collector = await startCollector(nats.url, { env: { TIDEGATE_CLOCK_JUMP_MS: "2000" } });
  nc = await connect({ servers: nats.url });
  await waitFor("the collector to consume", async () => {
    const ingest = await getJson<{ consuming: boolean } | null>(`${collector.url}/api/v1/ingest`);
    return ingest?.consuming === true;
  });
});
afterAll(async () => {
  await nc?.close();
  await collector?.stop();
  await nats?.dispose();
});

describe("clock jumps", () => {
  it("flags the gateway whose clock stepped, not the one that is steadily off, across a restart", async () => {
    const HOUR = 3600_000;
    // Both gateways start 10 s ahead (skewed); then jumpy's clock is set back an hour.
    await publishBeats({ jumpy: 10_000, steady: 10_000 }, 3);
    await waitFor("both gateways seen", async () => {
      const body = await getJson<Gateways>(`${collector.url}/api/v1/gateways`);
      return body.gateways.length === 2;
    });
    await publishBeats({ jumpy: 10_000 - HOUR, steady: 10_000 }, 3);

    const flagged = async () => {
      const body = await getJson<Gateways>(`${collector.url}/api/v1/gateways`);
      const jumpy = body.gateways.find((g) => g.id === "jumpy");
      return jumpy?.clockJump ? body : undefined;
    };
    const body = await waitFor(() => `jumpy flagged\n${collector.output()}`, flagged);
    const jumpy = body.gateways.find((g) => g.id === "jumpy");
    const steady = body.gateways.find((g) => g.id === "steady");
    // The step as the collector measured it: an hour back, give or take delivery jitter.
    expect(Math.abs((jumpy?.clockJump?.ms ?? 0) + HOUR)).toBeLessThan(2000);
    expect(steady).toMatchObject({ clockSkewed: true });
    expect(steady).not.toHaveProperty("clockJump");
    expect(collector.output()).toMatch(/gateway clock jumped/);

    // The fleet table shows the jump on the gateway's row, in a real browser.
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(collector.url);
      const badge = page.locator('[data-gateway="jumpy"] [data-testid="clock-jump"]');
      await badge.waitFor({ timeout: 15_000 });
      expect(await badge.textContent()).toMatch(/jumped −1 h/);
      expect(await page.locator('[data-gateway="steady"] [data-testid="clock-jump"]').count()).toBe(0);
      await screenshot(page, "fleet-clock-jump");
    } finally {
      await browser.close();
    }

    // Kept on the gateway's row: a restarted collector still shows it.
    const before = jumpy?.clockJump;
    await collector.kill("SIGTERM");
    await collector.start();
    const after = await getJson<Gateways>(`${collector.url}/api/v1/gateways`);
    expect(after.gateways.find((g) => g.id === "jumpy")?.clockJump).toEqual(before);
  });
});
