import { createServer, type Server, type Socket } from "node:net";
import { testAuthStore } from "@tidegate/http-kit/testing";
import { loadProfiles, type Profile } from "@tidegate/profiles";
import { type ModbusTcpSimulator, startModbusTcpSimulator } from "@tidegate/simulators";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stubAgentView } from "../../../test/helpers/agent-view.js";
import type { LoadedConfig } from "../config/load.js";
import { deviceSchema } from "../config/schema.js";
import { createHistory } from "../history/history.js";
import { createProbeService } from "../probe/probe-service.js";
import { maskSecrets } from "../remote/mask.js";
import { createBus, type ModbusBus } from "../sources/modbus/bus.js";
import { createAgentApp } from "./app.js";

// The routes in-process, with a real Modbus TCP simulator on loopback behind the probe.

const profiles = loadProfiles();
const sdm120 = profiles.get("eastron/sdm120") as Profile;
const log = pino({ level: "silent" });
let sim: ModbusTcpSimulator;
let bus: ModbusBus;
let silent: Server;
const sockets: Socket[] = [];
let app: ReturnType<typeof createAgentApp>;
let probeLifecycle: Parameters<typeof createProbeService>[0];
const auth = testAuthStore();

const config = {
  devices: [] as ReturnType<typeof deviceSchema.parse>[],
  nats: { servers: ["nats://edge:s3cret@nats.example:4222"], user: "edge", password: "hunter2" },
};

beforeAll(async () => {
  sim = await startModbusTcpSimulator({ profile: sdm120, port: 0, tickMs: 60_000, seed: 1 });
  sim.set("voltage", 231.25);
  // Accepts connections and never answers: a device that has gone quiet.
  silent = createServer((s) => sockets.push(s)).listen(0, "127.0.0.1");
  await new Promise((r) => silent.once("listening", r));
  const device = deviceSchema.parse({
    id: "meter1",
    profile: "eastron/sdm120",
    transport: { type: "tcp", host: "127.0.0.1", port: sim.port },
    timeoutMs: 500,
  });
  config.devices.push(device);
  if (device.transport.type === "serial" || device.transport.type === "opcua") throw new Error("not Modbus");
  bus = createBus(device.transport, log);
  const lifecycle = {
    loaded: () =>
      ({
        file: "agent.yaml",
        config,
        profiles,
        library: { all: () => profiles },
        warnings: [],
      }) as unknown as LoadedConfig,
    modbusTarget: (id: string) => (id === "meter1" ? { device, profile: sdm120, bus } : undefined),
  };
  const history = createHistory();
  history.record([{ ts: Date.now() - 500, device: "meter1", point: "current", value: 4.5, quality: "good" }]);
  probeLifecycle = lifecycle;
  app = createAgentApp(view, {
    auth: { store: auth.store },
    local: {
      history,
      probe: createProbeService(lifecycle, log),
      runningConfig: () => maskSecrets(config),
    },
  });
});

afterAll(async () => {
  await bus.close();
  await sim.close();
  for (const s of sockets) s.destroy();
  silent.close();
});

const view = stubAgentView;

const get = (path: string, role: "viewer" | "operator" = "viewer") =>
  app.request(path, { headers: auth.headers[role] });
const post = (body: unknown) =>
  app.request("/api/v1/probe", {
    method: "POST",
    headers: { ...auth.headers.operator, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("GET /api/v1/history", () => {
  it("answers the chart's columnar shape for a viewer", async () => {
    const res = await get("/api/v1/history?device=meter1&point=current&range=1h");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ device: "meter1", point: "current", range: "1h", step: "raw" });
    expect(body.series[0].values).toEqual([4.5]);
    expect(body.ts).toHaveLength(1);
    const day = await (await get("/api/v1/history?device=meter1&point=current&range=24h")).json();
    expect(day.step).toBe(60_000);
    expect(day.series[0]).toMatchObject({ values: [4.5], min: [4.5], max: [4.5] });
  });

  it("says what is wrong with the query", async () => {
    const missing = await get("/api/v1/history?point=voltage");
    expect(missing.status).toBe(400);
    expect((await missing.json()).error).toMatch(/device=/);
    const range = await get("/api/v1/history?device=meter1&point=voltage&range=7d");
    expect(range.status).toBe(400);
    expect((await range.json()).error).toMatch(/range= must be 1h or 24h/);
    const unknown = await get("/api/v1/history?device=meter1&point=nope");
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toMatch(/no history of meter1\/nope/);
  });
});

describe("POST /api/v1/probe", () => {
  it("reads a configured device once, in every byte/word order with the profile line, and audits it", async () => {
    const res = await post({ device: "meter1" });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.failures).toEqual([]);
    const voltage = body.points.find((p: { id: string }) => p.id === "voltage");
    expect(voltage).toMatchObject({ value: "231.25", unit: "V" });
    expect(voltage.orders).toHaveLength(4);
    expect(voltage.orders.filter((o: { current: boolean }) => o.current)).toHaveLength(1);
    expect(voltage.orders[0].line).toMatch(/^register: \{ table: input, address: 0, type: float32, order: /);
    const audit = auth.store.auditLog({}).find((e) => e.action === "device.probe");
    expect(audit).toMatchObject({ target: "meter1", ok: true });
  });

  it("reads a free Modbus TCP address with a named profile", async () => {
    const res = await post({
      host: "127.0.0.1",
      port: sim.port,
      unitId: sim.unitId,
      profile: "eastron/sdm120",
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.points.find((p: { id: string }) => p.id === "voltage").value).toBe("231.25");
  });

  it("answers a silent device with the failed reads in words, without hanging", async () => {
    const port = (silent.address() as { port: number }).port;
    const res = await post({ host: "127.0.0.1", port, unitId: 1, profile: "eastron/sdm120", timeoutMs: 100 });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.points).toEqual([]);
    expect(body.failures.length).toBeGreaterThan(0);
    expect(body.failures[0].reason).toMatch(/no answer|timed? ?out/i);
  });

  it("answers 504 in words when the whole probe outlasts its deadline", async () => {
    const port = (silent.address() as { port: number }).port;
    const hurried = createAgentApp(view, {
      auth: { store: auth.store },
      local: { probe: createProbeService(probeLifecycle, log, { deadlineMs: 50 }) },
    });
    const res = await hurried.request("/api/v1/probe", {
      method: "POST",
      headers: { ...auth.headers.operator, "content-type": "application/json" },
      body: JSON.stringify({
        host: "127.0.0.1",
        port,
        unitId: 1,
        profile: "eastron/sdm120",
        timeoutMs: 1000,
      }),
    });
    expect(res.status).toBe(504);
    expect((await res.json()).error).toMatch(
      /no complete answer from 127\.0\.0\.1:\d+, unit 1, within 0\.1 s: check the address/,
    );
  });

  it("refuses bad requests with what to send instead", async () => {
    const bad = await post({ device: 5 });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/the body must be JSON/);
    const unknown = await post({ device: "nope" });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error).toMatch(/no Modbus device 'nope'; configured: meter1/);
    const profile = await post({ host: "127.0.0.1", port: 502, unitId: 1, profile: "acme/none" });
    expect(profile.status).toBe(400);
    expect((await profile.json()).error).toMatch(/no Modbus profile 'acme\/none'; known: .*eastron\/sdm120/);
  });

  it("offers the configured devices and the profiles to an operator, not to a viewer", async () => {
    const res = await get("/api/v1/probe", "operator");
    expect(await res.json()).toMatchObject({
      devices: [{ id: "meter1", profile: "eastron/sdm120", line: `127.0.0.1:${sim.port}` }],
    });
    expect((await get("/api/v1/probe")).status).toBe(403);
  });
});

describe("GET /api/v1/config", () => {
  it("shows the running config with its secrets masked, to operators only", async () => {
    const res = await get("/api/v1/config", "operator");
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("s3cret");
    expect(JSON.parse(text).config.nats.password).toBe("********");
    expect((await get("/api/v1/config")).status).toBe(403);
  });
});
