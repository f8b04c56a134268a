import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadProfiles, type Profile } from "@tidegate/profiles";
import { type PtyPair, startModbusRtuSimulator, startPtyPair } from "@tidegate/simulators";
import { describe, expect, it } from "vitest";
import { deferredCleanup } from "./helpers/cleanup.js";
import { startNatsServer } from "./helpers/nats.js";
import { type Restartable, startAgent, startCollector } from "./helpers/tidegate.js";
import { getJson, waitFor } from "./helpers/wait.js";

// A technician's RS-485 bus: an energy meter (unit 1) and a climate sensor (unit 2) on one serial
// line, here a socat PTY pair, read by the real agent and forwarded to the collector.

const defer = deferredCleanup();
const profiles = loadProfiles();
const slaves = [
  { unitId: 1, profile: profiles.get("eastron/sdm120") as Profile, seed: 1 },
  { unitId: 2, profile: profiles.get("sonbest/xy-md02") as Profile, seed: 2 },
];

interface Status {
  devices: { id: string; status: string; lastError?: string }[];
}
interface Latest {
  readings: { device: string; point: string; value: unknown; quality: string; reason?: string }[];
}

async function bus() {
  const dir = mkdtempSync(join(tmpdir(), "tidegate-rtu-"));
  const pty = await startPtyPair(dir, "ttyUSB-rs485");
  let sim = await startModbusRtuSimulator({ path: pty.deviceEnd, slaves, tickMs: 200 });
  const nats = await startNatsServer();
  const collector = await startCollector(nats.url);
  const agent = await startAgent(`
version: 1
gateway: rtu-plant
http: { host: 127.0.0.1 }
nats: { servers: ["${nats.url}"], heartbeatIntervalMs: 500 }
buffer: { path: buffer.db, commitIntervalMs: 50 }
devices:
  - id: meter-1
    profile: eastron/sdm120
    transport: { type: rtu, port: ${pty.agentEnd}, baudRate: 9600 }
    unitId: 1
    pollIntervalMs: 200
    timeoutMs: 200
  - id: climate-1
    profile: sonbest/xy-md02
    transport: { type: rtu, port: ${pty.agentEnd}, baudRate: 9600 }
    unitId: 2
    pollIntervalMs: 200
    timeoutMs: 200
`);
  defer(async () => {
    await agent.stop();
    await collector.stop();
    await sim.close();
    await pty.close();
    await nats.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    pty: pty as PtyPair,
    agent: agent as Restartable,
    collector,
    sim: () => sim,
    async replugDevices() {
      await pty.reopen();
      sim = await startModbusRtuSimulator({ path: pty.deviceEnd, slaves, tickMs: 200 });
    },
  };
}

const device = async (agent: Restartable, id: string) =>
  (await getJson<Status>(`${agent.url}/api/v1/status`)).devices.find((d) => d.id === id);
const latest = async (agent: Restartable, dev: string, point: string) =>
  (await getJson<Latest>(`${agent.url}/api/v1/latest`)).readings.find(
    (r) => r.device === dev && r.point === point,
  );
const arrives = (agent: Restartable, dev: string, point: string, value: number) =>
  waitFor(
    `${dev}/${point} = ${value} at the agent`,
    async () => (await latest(agent, dev, point))?.value === value,
    15_000,
  );

describe("Modbus RTU on a shared serial bus", () => {
  it("reads every slave on the line; a dead slave fails alone and the others keep their pace", async () => {
    const { agent, collector, sim } = await bus();
    sim().slave(1).set("voltage", 231.5);
    sim().slave(2).set("temperature", 21.5);
    await arrives(agent, "meter-1", "voltage", 231.5);
    await arrives(agent, "climate-1", "temperature", 21.5);
    await waitFor(
      "RTU readings at the collector",
      async () =>
        (
          await getJson<{ points: { device: string; point: string; lastValue: unknown }[] }>(
            `${collector.url}/api/v1/points?gateway=rtu-plant`,
          )
        ).points.some((p) => p.device === "meter-1" && p.point === "voltage" && p.lastValue === 231.5),
      15_000,
    );

    sim().silence(2, true);
    const dead = await waitFor("climate-1 to be reported failing", async () => {
      const d = await device(agent, "climate-1");
      return d?.status === "failing" ? d : undefined;
    });
    expect(dead.lastError).toBe("timeout after 200 ms");
    const bad = await latest(agent, "climate-1", "temperature");
    expect(bad).toMatchObject({ quality: "bad", value: null, reason: "timeout after 200 ms" });

    // While unit 2 is silent, unit 1 keeps being read: new values arrive and it stays healthy.
    for (const v of [229.25, 233.75]) {
      sim().slave(1).set("voltage", v);
      await arrives(agent, "meter-1", "voltage", v);
    }
    expect((await device(agent, "meter-1"))?.status).toBe("ok");

    sim().silence(2, false);
    sim().slave(2).set("temperature", 19.5);
    await arrives(agent, "climate-1", "temperature", 19.5);
  });

  it("recovers without a restart when the adapter is unplugged and plugged in again", async () => {
    const b = await bus();
    b.sim().slave(1).set("voltage", 230.5);
    await arrives(b.agent, "meter-1", "voltage", 230.5);

    await b.sim().close();
    await b.pty.close(); // the USB adapter is pulled: the serial device disappears
    const unplugged = await waitFor("meter-1 to be reported failing", async () => {
      const d = await device(b.agent, "meter-1");
      return d?.status === "failing" ? d : undefined;
    });
    expect(unplugged.lastError).toMatch(
      /cannot open .*ttyUSB-rs485-agent: serial device not found \(adapter unplugged/,
    );

    await b.replugDevices();
    b.sim().slave(1).set("voltage", 228.5);
    await arrives(b.agent, "meter-1", "voltage", 228.5);
    expect(b.agent.runs()).toBe(1);
  });
});
