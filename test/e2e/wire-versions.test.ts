import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BATCH_VERSION } from "@tidegate/protocol";
import type { Browser } from "playwright-core";
import { describe, expect, it } from "vitest";
import { launchChromium } from "./helpers/browser.js";
import { deferredCleanup } from "./helpers/cleanup.js";
import { type NatsServer, startNatsServer } from "./helpers/nats.js";
import { meterAgentConfig, startMeter } from "./helpers/system.js";
import { type Restartable, startAgent, startCollector } from "./helpers/tidegate.js";
import { getJson, waitFor } from "./helpers/wait.js";

// Agents and collectors are upgraded one at a time, so for a while they speak different batch
// wire versions. A collector reads agents one version older; an agent newer than the collector
// keeps buffering and says so, because JetStream would ack what no collector can read.

const defer = deferredCleanup();

async function parts() {
  const nats: NatsServer = await startNatsServer();
  const meter = await startMeter(4);
  defer(async () => {
    await meter.close().catch(() => {});
    await nats.dispose();
  });
  const agentConfig = (gateway: string) =>
    meterAgentConfig({ gateway, natsUrl: nats.url, meterPort: meter.port, pollIntervalMs: 100 });
  const track = <T extends { stop(): Promise<void> }>(x: T) => {
    defer(() => x.stop());
    return x;
  };
  return { nats, agentConfig, track };
}

interface GatewayEntry {
  id: string;
  seq: { max: number; stored: number; missing: number };
  wire?: { version: number; current: number };
}
const gateway = async (collector: Restartable, id: string) =>
  (await getJson<{ gateways: GatewayEntry[] }>(`${collector.url}/api/v1/gateways`)).gateways.find(
    (g) => g.id === id,
  );

interface AgentStatus {
  seq: { committed: number; acked: number };
  buffer: { backlog: number };
  uplink: { wire: { sends: number; mismatch?: string } };
  alarms: { code: string; message: string }[];
}

describe("mixed wire versions", () => {
  it("a collector reads everything an agent one wire version older sends, and the fleet view says so", async () => {
    const { nats, agentConfig, track } = await parts();
    const collector = track(await startCollector(nats.url));
    const agent = track(await startAgent(agentConfig("old-agent"), { knobs: { wireVersion: 1 } }));

    const g = await waitFor(
      "readings from the older agent",
      async () => {
        const e = await gateway(collector, "old-agent");
        return e && e.seq.max >= 100 && e.seq.missing === 0 ? e : undefined;
      },
      20_000,
    );
    expect(g.seq.stored).toBe(g.seq.max);
    expect(g.wire).toEqual({ version: BATCH_VERSION - 1, current: BATCH_VERSION });
    const status = await getJson<AgentStatus>(`${agent.url}/api/v1/status`);
    expect(status.uplink.wire.sends).toBe(BATCH_VERSION - 1);

    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(collector.url);
      const badge = page.locator(
        '[data-testid="gateway-row"][data-gateway="old-agent"] [data-testid="older-wire"]',
      );
      await badge.waitFor();
      expect(await badge.textContent()).toBe(`wire v${BATCH_VERSION - 1}`);
    } finally {
      await browser?.close();
    }
  });

  it("an agent newer than the collector keeps buffering and reports it, then delivers everything once the collector is upgraded", async () => {
    const { nats, agentConfig, track } = await parts();
    const dir = mkdtempSync(join(tmpdir(), "tidegate-wire-collector-"));
    defer(async () => rmSync(dir, { recursive: true, force: true }));
    const older = await startCollector(nats.url, {
      dir,
      knobs: { wireMax: BATCH_VERSION - 1 },
    });
    defer(() => older.stop());
    const agent = track(await startAgent(agentConfig("new-agent")));

    const held = await waitFor(
      "the agent to hold its readings and say why",
      async () => {
        const s = await getJson<AgentStatus>(`${agent.url}/api/v1/status`);
        return s.alarms.some((a) => a.code === "wire-mismatch") && s.buffer.backlog >= 50 ? s : undefined;
      },
      20_000,
    );
    expect(held.uplink.wire.mismatch).toMatch(/this agent sends version 2: upgrade the collector/);
    expect(held.seq.acked).toBe(0);
    expect((await gateway(older, "new-agent"))?.seq.stored ?? 0).toBe(0);

    await older.stop();
    const upgraded = track(await startCollector(nats.url, { dir }));
    const done = await waitFor(
      "every held reading at the upgraded collector",
      async () => {
        const s = await getJson<AgentStatus>(`${agent.url}/api/v1/status`);
        const g = await gateway(upgraded, "new-agent");
        return s.alarms.length === 0 && g && g.seq.max >= held.seq.committed && g.seq.missing === 0
          ? g
          : undefined;
      },
      30_000,
    );
    expect(done.seq.stored).toBe(done.seq.max); // exactly once
  });
});
