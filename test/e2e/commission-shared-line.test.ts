import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadProfiles, type Profile } from "@tidegate/profiles";
import { startModbusRtuSimulator, startPtyPair } from "@tidegate/simulators";
import { describe, expect, it } from "vitest";
import { apiFetch } from "./helpers/auth.js";
import { deferredCleanup } from "./helpers/cleanup.js";
import { startNatsServer } from "./helpers/nats.js";
import { rtuMeterAgentConfig } from "./helpers/system.js";
import { startAgent } from "./helpers/tidegate.js";
import { getJson, waitFor } from "./helpers/wait.js";

// A commissioning scan from the agent's API on a port that a configured device already uses: at
// the bus's own setting it goes through the bus, between the device's polls; other speeds only
// when the operator agrees, with polling paused meanwhile and resumed after.

const defer = deferredCleanup();
const profiles = loadProfiles();

interface Scan {
  state: string;
  skipped: string[];
  progress: {
    found: { unitId: number; setting: string; candidates?: { profile: string }[] }[];
    pollingPaused: boolean;
    settingsTotal: number;
  };
}
interface Latest {
  readings: { device: string; point: string; value: unknown }[];
}

describe("scanning a port shared with polling", () => {
  it("interleaves with polling at the bus's setting, and pauses and resumes it for another", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tidegate-shared-scan-"));
    defer(() => rmSync(dir, { recursive: true, force: true }));
    const pty = await startPtyPair(dir, "ttyUSB-shared");
    defer(pty.close);
    const sim = await startModbusRtuSimulator({
      path: pty.deviceEnd,
      slaves: [
        { unitId: 1, profile: profiles.get("eastron/sdm120") as Profile, seed: 1 },
        { unitId: 9, profile: profiles.get("sonbest/xy-md02") as Profile, seed: 2 },
      ],
      tickMs: 200,
    });
    defer(sim.close);
    const nats = await startNatsServer();
    defer(nats.dispose);
    const agent = await startAgent(
      rtuMeterAgentConfig({ gateway: "shared-scan", natsUrl: nats.url, port: pty.agentEnd }),
    );
    defer(agent.stop);
    const scanUrl = `${agent.url}/api/v1/commission/scan`;
    const post = (body: unknown) =>
      apiFetch(scanUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const voltage = async () =>
      (await getJson<Latest>(`${agent.url}/api/v1/latest`)).readings.find(
        (r) => r.device === "meter-1" && r.point === "voltage",
      )?.value;
    const arrives = (v: number) =>
      waitFor(`voltage ${v} at the agent`, async () => (await voltage()) === v, 15_000);
    sim.slave(1).set("voltage", 230.5);
    await arrives(230.5);

    // Without the operator's agreement only the bus's own setting is swept.
    // A hundred ids keep the sweep longer than the polls below; every id is the scan test's job.
    const started = await post({ serial: pty.agentEnd, timeoutMs: 80, unitIds: { from: 1, to: 100 } });
    expect(started.status).toBe(202);
    const first = (await started.json()) as Scan;
    expect(first.progress.settingsTotal).toBe(1);
    expect(first.skipped).toHaveLength(31);
    expect(first.skipped).not.toContain("9600 8N1");
    // Polling goes on while the scan runs: values set now arrive before it ends.
    for (const v of [228.25, 232.75]) {
      sim.slave(1).set("voltage", v);
      await arrives(v);
    }
    expect((await getJson<Scan>(scanUrl)).state).toBe("running");
    const done = await waitFor(
      "the scan to end",
      async () => {
        const s = await getJson<Scan>(scanUrl);
        return s.state !== "running" ? s : undefined;
      },
      90_000,
      500,
    );
    expect(done.state).toBe("done");
    expect(done.progress.found.map(({ unitId, setting }) => ({ unitId, setting }))).toEqual([
      { unitId: 1, setting: "9600 8N1" },
      { unitId: 9, setting: "9600 8N1" },
    ]);
    // Each was read against the profiles, through the same bus.
    for (const f of done.progress.found) expect(f.candidates?.length).toBeGreaterThan(0);

    // Another speed: polling pauses on this line while it is swept, and resumes after.
    const other = await post({
      serial: pty.agentEnd,
      bauds: [19200],
      framings: ["8N1"],
      unitIds: { from: 1, to: 40 },
      timeoutMs: 60,
      pausePolling: true,
    });
    expect(other.status).toBe(202);
    await waitFor(
      "polling to show as paused",
      async () => (await getJson<Scan>(scanUrl)).progress.pollingPaused,
      10_000,
      50,
    );
    await waitFor(
      "the second scan to end",
      async () => (await getJson<Scan>(scanUrl)).state === "done",
      60_000,
      500,
    );
    expect((await getJson<Scan>(scanUrl)).progress.pollingPaused).toBe(false);
    sim.slave(1).set("voltage", 226.5);
    await arrives(226.5);
  }, 180_000);
});
