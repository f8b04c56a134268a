import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { encodeHeartbeat, subjects } from "@tidegate/protocol";
import { type ModbusTcpSimulator, startModbusTcpSimulator } from "@tidegate/simulators";
import ModbusRTU from "modbus-serial";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { heartbeatAt } from "../helpers/heartbeat.js";
import { apiFetch } from "./helpers/auth.js";
import { type NatsServer, startNatsServer } from "./helpers/nats.js";
import { freePort } from "./helpers/ports.js";
import { type Restartable, type StartedAgent, startAgent, startCollector } from "./helpers/tidegate.js";
import { valveAgentConfig, valveDevice, writeValveProfile } from "./helpers/valve.js";
import { getJson, waitFor } from "./helpers/wait.js";

// Remote management end to end: the collector's HTTP route → NATS request → the built agent →
// a Modbus TCP simulator, and back. The valve profile has a writable float32 in CDAB order, the
// layout peers get wrong on writes.

const GATEWAY = "e2e-remote";

interface Reply {
  status: number;
  body: { result?: Record<string, unknown> & { [k: string]: unknown }; error?: string; failure?: string };
}

let nats: NatsServer;
let sim: ModbusTcpSimulator;
let collector: Restartable;
let agent: StartedAgent;
let work: string;
let profilesDir: string;
let originalConfig: string;

const agentConfig = (devices: string) =>
  valveAgentConfig({ gateway: GATEWAY, natsUrl: nats.url, profilesDir, devices });
const valve = valveDevice;

async function command(verb: string, body: unknown = {}, gateway = GATEWAY): Promise<Reply> {
  const res = await apiFetch(`${collector.url}/api/v1/gateways/${gateway}/commands/${verb}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Reply["body"] };
}
function result(r: Reply): Record<string, unknown> {
  if (!r.body.result) throw new Error(`no result: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.result;
}
const deviceIds = (status: Reply) => (result(status).devices as { id: string }[]).map((d) => d.id);
const context = () =>
  `agent:\n${agent.output().slice(-4000)}\ncollector:\n${collector.output().slice(-2000)}`;

async function holdingWords(address: number, count: number): Promise<number[]> {
  const client = new ModbusRTU();
  await client.connectTCP("127.0.0.1", { port: sim.port });
  client.setID(sim.unitId);
  try {
    return (await client.readHoldingRegisters(address, count)).data;
  } finally {
    await new Promise<void>((r) => client.close(() => r()));
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "tidegate-remote-"));
  const written = writeValveProfile(work);
  profilesDir = written.profilesDir;
  const profile = written.profile;
  nats = await startNatsServer();
  sim = await startModbusTcpSimulator({ profile, port: 0, tickMs: 200, seed: 3 });
  collector = await startCollector(nats.url, { env: { TIDEGATE_OFFLINE_AFTER_S: "10" } });
  const agentDir = join(work, "agent");
  mkdirSync(agentDir);
  originalConfig = agentConfig(valve("valve-1", sim.port));
  agent = await startAgent(originalConfig, { dir: agentDir });
  await waitFor(
    () => `the collector to see ${GATEWAY} online\n${context()}`,
    async () =>
      (
        await getJson<{ gateways: { id: string; online: boolean }[] }>(`${collector.url}/api/v1/gateways`)
      ).gateways.some((g) => g.id === GATEWAY && g.online),
  );
});

afterAll(async () => {
  await agent?.kill("SIGKILL");
  await collector?.stop();
  await sim?.close();
  await nats?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("remote management", () => {
  it("status and config.get through the collector, secrets masked", async () => {
    const status = await command("status");
    expect(status.status, JSON.stringify(status.body)).toBe(200);
    expect(status.body.result?.gateway).toBe(GATEWAY);
    expect(deviceIds(status)).toEqual(["valve-1"]);

    const got = await command("config.get");
    expect(got.status).toBe(200);
    const config = got.body.result?.config as {
      nats: { password: string; user: string };
      devices: unknown[];
    };
    expect(got.body.result?.version).toBe(0);
    expect(config.nats.user).toBe("gw");
    expect(config.nats.password).toBe("********");
    expect(JSON.stringify(got.body)).not.toContain("not-checked-here");
  });

  it("writes a float32 in CDAB order: the device holds the right words and the read-back agrees", async () => {
    const res = await command("write", { device: "valve-1", point: "setpoint", value: 12345.6875 });
    expect(res.status, `${JSON.stringify(res.body)}\n${context()}`).toBe(200);
    // 12345.6875 is 0x4640E6C0; CDAB sends the low word first.
    expect(res.body.result).toMatchObject({
      written: 12345.6875,
      words: [0xe6c0, 0x4640],
      readBack: 12345.6875,
      readBackWords: [0xe6c0, 0x4640],
      matches: true,
    });
    expect(await holdingWords(10, 2)).toEqual([0xe6c0, 0x4640]);
    expect(sim.current().setpoint).toBe(12345.6875);
  });

  it("refuses writes to read-only points, out of range, of the wrong type or with bad arguments", async () => {
    const before = await holdingWords(10, 2);
    const readOnly = await command("write", { device: "valve-1", point: "flow", value: 5 });
    expect(readOnly.status).toBe(422);
    expect(readOnly.body.error).toMatch(/read-only in profile acme\/valve; writable points: setpoint/);
    const tooHigh = await command("write", { device: "valve-1", point: "setpoint", value: 20001 });
    expect(tooHigh.status).toBe(422);
    expect(tooHigh.body.error).toMatch(/above its maximum 20000/);
    const wrongType = await command("write", { device: "valve-1", point: "setpoint", value: true });
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.error).toMatch(/expected a number/);
    const missing = await command("write", { device: "valve-1", value: 1 });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatch(/^write: point: /);
    const unknown = await command("write", { device: "nope", point: "setpoint", value: 1 });
    expect(unknown.body.error).toMatch(/no device 'nope'; devices: valve-1/);
    expect(await holdingWords(10, 2), "no refused write reached the device").toEqual(before);
  });

  it("applies a good config (new poll interval, one more device), keeps it in history, leaves the file alone", async () => {
    const got = await command("config.get");
    const config = got.body.result?.config as { devices: Record<string, unknown>[] };
    const first = config.devices[0] as Record<string, unknown>;
    config.devices = [
      { ...first, pollIntervalMs: 300 },
      { ...first, id: "valve-2" },
    ];
    const applied = await command("config.apply", { config, timeoutMs: 10_000 });
    expect(applied.status, `${JSON.stringify(applied.body)}\n${context()}`).toBe(200);
    expect(applied.body.result).toEqual({ version: 1, devices: ["valve-1", "valve-2"] });

    const history = await command("config.history");
    const versions = history.body.result?.versions as {
      version: number;
      status: string;
      actor?: string;
      sha256: string;
    }[];
    expect(history.body.result?.current).toBe(1);
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ version: 1, status: "applied", origin: "apply" });
    expect(versions[0]?.actor).toMatch(/^token:/);
    expect(versions[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
    // The masked password was filled back in from the running config, not applied as "********".
    const kept = readFileSync(join(agent.dir, "config-versions", "0001.yaml"), "utf8");
    expect(kept).toContain("not-checked-here");
    expect(readFileSync(agent.configFile, "utf8")).toBe(originalConfig);
    const status = await command("status");
    expect(deviceIds(status)).toEqual(["valve-1", "valve-2"]);
  });

  it("rolls a config back when a device does not come up, and says why", async () => {
    const deadPort = await freePort();
    const text = agentConfig(valve("valve-1", sim.port) + valve("dead-1", deadPort));
    const res = await command("config.apply", { config: text, timeoutMs: 3000 });
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.error).toMatch(
      /^config version 2 was rolled back to version 1 because device dead-1: cannot open 127\.0\.0\.1:\d+/,
    );
    const history = await command("config.history");
    expect(history.body.result?.current).toBe(1);
    expect((result(history).versions as { status: string }[])[1]).toMatchObject({
      status: "rolled-back",
    });
    const status = await command("status");
    expect(deviceIds(status)).toEqual(["valve-1", "valve-2"]);

    const invalid = await command("config.apply", { config: "version: 1\ndevices: [{ id: x }]\n" });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error).toMatch(/config.apply: invalid config\n {2}at devices.0.profile/);
    const fixed = await command("config.apply", {
      config: agentConfig(valve("valve-1", sim.port)).replace("commitIntervalMs: 50", "commitIntervalMs: 60"),
    });
    expect(fixed.body.error).toMatch(/buffer cannot change on a running agent/);
  });

  it("rolls back to the config file, tails the logs and restarts a source", async () => {
    const back = await command("config.rollback", { version: 0, timeoutMs: 10_000 });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    expect(back.body.result).toEqual({ version: 3, devices: ["valve-1"] });
    const versions = (await command("config.history")).body.result?.versions as { origin: string }[];
    expect(versions[2]).toMatchObject({ origin: "rollback:0", status: "applied" });

    const restarted = await command("source.restart", { device: "valve-1" });
    expect(restarted.body.result).toEqual({ restarted: ["valve-1"] });
    const logs = await command("logs.tail", { lines: 200 });
    const lines = (result(logs).lines as string[]).map((l) => JSON.parse(l) as { msg: string });
    expect(lines.some((l) => /remote config version 3 is in force/.test(l.msg))).toBe(true);
    expect(lines.some((l) => /remote command write .*: ok/.test(l.msg))).toBe(true);
  });

  it("keeps the applied version across a restart of the agent", async () => {
    const got = await command("config.get");
    const config = got.body.result?.config as { devices: Record<string, unknown>[] };
    config.devices = [{ ...(config.devices[0] as Record<string, unknown>), pollIntervalMs: 400 }];
    expect((await command("config.apply", { config })).status).toBe(200);
    await agent.kill("SIGTERM");
    await agent.start();
    await waitFor(
      () => `the restarted agent answering commands\n${context()}`,
      async () => (await command("config.get")).status === 200,
    );
    const after = await command("config.get");
    expect(after.body.result?.version).toBe(4);
    expect(
      (result(after).config as { devices: { pollIntervalMs: number }[] }).devices[0]?.pollIntervalMs,
    ).toBe(400);
    expect(agent.output()).toMatch(
      /using remote config version 4 .* instead of .*agent.yaml, which is unchanged/,
    );
  });

  it("refuses at once, and sends nothing, to a gateway that is offline or not listening", async () => {
    const spy = await connect({ servers: nats.url });
    const seen: string[] = [];
    // Listening only where nothing may arrive: a listener on older-gw would count as a responder.
    for (const gw of [GATEWAY, "never-seen"])
      spy.subscribe(subjects.commands(gw), { callback: (_e, m) => void seen.push(m.subject) });
    await spy.flush();
    try {
      await agent.kill("SIGTERM");
      await waitFor("the collector to mark the gateway offline", async () =>
        (
          await getJson<{ gateways: { id: string; online: boolean }[] }>(`${collector.url}/api/v1/gateways`)
        ).gateways.some((g) => g.id === GATEWAY && !g.online),
      );
      const res = await command("write", { device: "valve-1", point: "setpoint", value: 1 });
      expect(res.status).toBe(409);
      expect(res.body.error).toMatch(
        /gateway e2e-remote is offline \(last seen \d+ s ago\); nothing was sent/,
      );

      // A gateway that beats but does not answer commands (an older agent).
      const hb = heartbeatAt("older-gw", Date.now(), { version: "0.0.1" });
      spy.publish(subjects.status("older-gw"), encodeHeartbeat(hb));
      await waitFor("the collector to register older-gw", async () =>
        (await getJson<{ gateways: { id: string }[] }>(`${collector.url}/api/v1/gateways`)).gateways.some(
          (g) => g.id === "older-gw",
        ),
      );
      const older = await command("status", {}, "older-gw");
      expect(older.status).toBe(409);
      expect(older.body.error).toBe(
        "gateway older-gw is not listening for commands (offline or older version)",
      );
      expect((await command("status", {}, "never-seen")).status).toBe(404);
      await spy.flush();
      expect(seen, "nothing was sent to the offline or unknown gateway").toEqual([]);
    } finally {
      await spy.close();
    }
  });
});
