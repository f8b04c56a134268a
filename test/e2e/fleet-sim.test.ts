import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { startVirtualFleet } from "../../agent/src/fleet/virtual-fleet.js";
import { deferredCleanup } from "./helpers/cleanup.js";
import { fleetLedger } from "./helpers/fleet-ledger.js";
import { startNatsServer } from "./helpers/nats.js";
import { startProcess } from "./helpers/process.js";
import { agentCli, startCollector } from "./helpers/tidegate.js";
import { getJson, waitFor } from "./helpers/wait.js";

// The fleet generator: virtual gateways running the agent's own buffer, uplink and heartbeat
// code against a real nats-server and the built collector. The collector must see each of them
// as a gateway (heartbeats, fleet counts) and store every reading exactly once.

const defer = deferredCleanup();
const log = pino({ level: "silent" });

interface GatewaysPage {
  total: number;
  gateways: { id: string; online: boolean; version?: string; backlog?: number }[];
}

describe("fleet generator", () => {
  it("20 virtual gateways are 20 gateways to the collector, and every reading is stored once", async () => {
    const nats = await startNatsServer();
    defer(() => nats.dispose());
    const collector = await startCollector(nats.url);
    defer(() => collector.stop());
    const dir = mkdtempSync(join(tmpdir(), "tidegate-fleet-e2e-"));
    defer(() => rmSync(dir, { recursive: true, force: true }));

    const fleet = startVirtualFleet({
      servers: [nats.url],
      dir,
      count: 20,
      prefix: "vgw",
      points: 10,
      intervalMs: 200,
      heartbeatIntervalMs: 500,
      log,
    });
    let stopped = false;
    defer(() => (stopped ? undefined : fleet.stop()));

    const page = await waitFor(
      () => `20 gateways online at the collector\n${collector.output().slice(-3000)}`,
      async () => {
        const p = await getJson<GatewaysPage>(`${collector.url}/api/v1/gateways?status=online`);
        return p.total === 20 && p.gateways.every((g) => g.version) && p.gateways.length === 20 && p;
      },
      30_000,
    );
    expect(page.gateways.map((g) => g.id)).toContain("vgw-0001");
    expect(page.gateways.map((g) => g.id)).toContain("vgw-0020");
    const summary = await getJson<{ total: { gateways: number; online: number; offline: number } }>(
      `${collector.url}/api/v1/fleet`,
    );
    expect(summary.total).toMatchObject({ gateways: 20, online: 20, offline: 0 });

    // Let every gateway send for a while, then stop reading and let the buffers drain.
    await waitFor(
      "each gateway committed 20 polls",
      () => fleet.stats().every((s) => s.committed >= 200),
      20_000,
    );
    fleet.pause();
    await waitFor(
      () => `every buffer sent: ${JSON.stringify(fleet.totals())}`,
      () => fleet.totals().backlog === 0,
      30_000,
    );
    const committed = new Map(fleet.stats().map((s) => [s.gateway, s.committed]));
    await fleet.stop();
    stopped = true;

    const dbPath = join(collector.dir, "collector.db");
    const total = [...committed.values()].reduce((a, b) => a + b, 0);
    const ledger = await waitFor(
      () => `the collector stored ${total} readings: ${JSON.stringify(fleetLedger(dbPath, committed))}`,
      () => {
        const l = fleetLedger(dbPath, committed);
        return l.stored >= total && l;
      },
      30_000,
    );
    expect(ledger, ledger.off.join("\n")).toMatchObject({
      gateways: 20,
      committed: total,
      stored: total,
      lost: 0,
      duplicated: 0,
      beyond: 0,
    });
  }, 90_000);

  it("`tidegate-agent fleet-sim` runs for --duration-s, drains, prints its totals and exits 0", async () => {
    const nats = await startNatsServer();
    defer(() => nats.dispose());
    const collector = await startCollector(nats.url);
    defer(() => collector.stop());
    const sim = startProcess(process.execPath, [
      agentCli,
      "fleet-sim",
      "--count",
      "3",
      "--points",
      "4",
      "--interval-ms",
      "200",
      "--duration-s",
      "2",
      "--prefix",
      "cli",
      "--nats",
      nats.url,
    ]);
    defer(() => sim.stop());
    const code = await new Promise<number | null>((resolve) => sim.child.once("exit", resolve));
    expect(code, sim.output()).toBe(0);
    const last =
      sim
        .output()
        .trim()
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .at(-1) ?? "{}";
    const totals = JSON.parse(last) as {
      gateways: number;
      committed: number;
      acked: number;
      backlog: number;
    };
    expect(totals.gateways).toBe(3);
    expect(totals.committed).toBeGreaterThan(0);
    expect(totals.acked).toBe(totals.committed);
    expect(totals.backlog).toBe(0);

    const page = await waitFor("the collector lists the three", async () => {
      const p = await getJson<GatewaysPage>(`${collector.url}/api/v1/gateways?q=cli-`);
      return p.total === 3 && p;
    });
    expect(page.gateways.map((g) => g.id).sort()).toEqual(["cli-0001", "cli-0002", "cli-0003"]);
  }, 60_000);

  it("rejects a bad option with what it expected, before connecting anywhere", async () => {
    const sim = startProcess(process.execPath, [agentCli, "fleet-sim", "--count", "0"]);
    defer(() => sim.stop());
    const code = await new Promise<number | null>((resolve) => sim.child.once("exit", resolve));
    expect(code).toBe(2);
    expect(sim.output()).toContain('--count must be a whole number ≥ 1, got "0"');
    expect(sim.output()).toContain("Usage: tidegate-agent fleet-sim");
  });
});
