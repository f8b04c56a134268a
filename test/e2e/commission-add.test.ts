import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiFetch } from "./helpers/auth.js";
import { type CommissionRig, startCommissionRig } from "./helpers/commission.js";
import { startProcess } from "./helpers/process.js";
import { agentCli, type Started, type StartedAgent } from "./helpers/tidegate.js";
import { getJson, waitFor } from "./helpers/wait.js";

// Adding a device on a running gateway, end to end: the built agent's commissioning API previews a
// simulated XY-MD02 on Modbus TCP and adds it; its readings then arrive at the collector through
// NATS, the change is in the config history, the user's file is untouched, and a restart keeps it.

const GATEWAY = "e2e-commission";
let rig: CommissionRig;
let agent: StartedAgent;
let collector: Started;

beforeAll(async () => {
  rig = await startCommissionRig(GATEWAY, { unitId: 17, values: { temperature: 19.5, humidity: 48.5 } });
  ({ agent, collector } = rig);
}, 60_000);
afterAll(() => rig?.stop());

const post = (path: string, body: unknown) =>
  apiFetch(`${agent.url}/api/v1/commission/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
const candidate = {
  id: "climate-7",
  profile: "sonbest/xy-md02",
  unitId: 17,
  pollIntervalMs: 500,
  points: ["temperature", "humidity"],
  transport: { type: "tcp", host: "127.0.0.1", port: 0 },
};
const context = () => `agent:\n${agent.output().slice(-3000)}`;

describe("adding a device through the agent's commissioning API", () => {
  it("previews, adds, and the new device's readings reach the collector; a restart keeps it", async () => {
    const device = { ...candidate, transport: { ...candidate.transport, port: rig.climate.port } };
    const preview = await post("preview", { device, cycles: 2 });
    const shown = (await preview.json()) as { cycles: { points: { id: string; value: string }[] }[] };
    expect(preview.status, JSON.stringify(shown)).toBe(200);
    expect(shown.cycles.map((c) => c.points.map((p) => `${p.id}=${p.value}`))).toEqual([
      ["temperature=19.5", "humidity=48.5"],
      ["temperature=19.5", "humidity=48.5"],
    ]);
    expect(existsSync(join(agent.dir, "devices.d"))).toBe(false);

    const bad = await post("devices", { device: { ...device, pollIntervalMs: 5 } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^device\.pollIntervalMs: /);

    const added = await post("devices", { device });
    const answer = await added.json();
    expect(added.status, `${JSON.stringify(answer)}\n${context()}`).toBe(201);
    expect(answer).toEqual({ version: 1, devices: ["meter-1", "climate-7"], device: "climate-7" });

    type Latest = { latest: { point: string; value: number }[] };
    const atCollector = await waitFor(
      () => `climate-7's readings at the collector\n${context()}`,
      async () => {
        const l = await getJson<Latest>(`${collector.url}/api/v1/latest?gateway=${GATEWAY}&device=climate-7`);
        return l.latest.length === 2 ? l.latest : undefined;
      },
      30_000,
      250,
    );
    expect(Object.fromEntries(atCollector.map((r) => [r.point, r.value]))).toEqual({
      temperature: 19.5,
      humidity: 48.5,
    });

    // In the config history, as the fleet view's remote config.history shows it.
    const history = await apiFetch(`${collector.url}/api/v1/gateways/${GATEWAY}/commands/config.history`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    const { result } = (await history.json()) as {
      result: { current: number; versions: { version: number; origin: string; status: string }[] };
    };
    expect(result.current).toBe(1);
    expect(result.versions).toEqual([
      expect.objectContaining({ version: 1, origin: "commission.add", status: "applied" }),
    ]);
    expect(readFileSync(agent.configFile, "utf8")).toBe(rig.configText);
    const file = join(agent.dir, "devices.d", "climate-7.yaml");
    expect(readFileSync(file, "utf8")).toMatch(/^# added on the gateway \(commission.add by token:/);

    const check = startProcess("node", [agentCli, "check", "--config", agent.configFile]);
    expect(await new Promise((r) => check.child.once("exit", r)), check.output()).toBe(0);
    expect(check.output()).toContain(`climate-7 (sonbest/xy-md02) from ${file}`);
    expect(check.output()).toContain(`meter-1 (eastron/sdm120) from ${agent.configFile}`);

    await agent.kill("SIGTERM");
    await agent.start();
    const status = await getJson<{ devices: { id: string }[] }>(`${agent.url}/api/v1/status`);
    expect(status.devices.map((d) => d.id)).toEqual(["meter-1", "climate-7"]);
  }, 90_000);

  it("exports the devices as CSV and dry-runs an import, naming the row and column of each error", async () => {
    const exported = await apiFetch(`${agent.url}/api/v1/commission/devices.csv`);
    expect(exported.status).toBe(200);
    const lines = (await exported.text()).trim().split("\n");
    expect(lines[0]).toBe("id,profile,transport,address,unit_id,poll_interval_ms,serial,points");
    expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(["meter-1", "climate-7"]);
    const csv = `${lines[0]}\nclimate-7,sonbest/xy-md02,tcp,127.0.0.1:${rig.climate.port},17,,,\nclimate-8,sonbest/xy-md02,modbus,x,1,,,\n`;
    const res = await apiFetch(`${agent.url}/api/v1/commission/devices.csv?dryRun=true`, {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: csv,
    });
    expect(res.status).toBe(400);
    const { errors } = (await res.json()) as { errors: { row: number; column: string }[] };
    expect(errors.map((e) => `${e.row}:${e.column}`)).toEqual(["2:id", "3:transport"]);
  });
});
