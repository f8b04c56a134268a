import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testAuthStore } from "@tidegate/http-kit/testing";
import { loadProfiles, type Profile } from "@tidegate/profiles";
import { type ModbusTcpSimulator, startModbusTcpSimulator } from "@tidegate/simulators";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stubAgentView } from "../../../test/helpers/agent-view.js";
import { createPreview, type PreviewAnswer } from "../commission/add/preview.js";
import { loadConfigFile } from "../config/load.js";
import { activeConfig } from "../remote/active-config.js";
import { createConfigChanges } from "../remote/config-changes.js";
import { configVersionsDir, openConfigStore } from "../remote/config-store.js";
import { createSourcesLifecycle } from "../sources/lifecycle.js";
import { createAgentApp } from "./app.js";

// Preview and add in-process, against real Modbus TCP simulators on loopback and a real config
// change (versions on disk, sources restarted, rolled back when the new device does not answer).

const profiles = loadProfiles();
const log = pino({ level: "silent" });
const auth = testAuthStore();
let meter: ModbusTcpSimulator;
let climate: ModbusTcpSimulator;
let dir: string;
let file: string;
let fileText: string;
let lifecycle: ReturnType<typeof createSourcesLifecycle>;
let changes: ReturnType<typeof createConfigChanges>;
let app: ReturnType<typeof createAgentApp>;

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

beforeAll(async () => {
  meter = await startModbusTcpSimulator({ profile: profiles.get("eastron/sdm120") as Profile, unitId: 1 });
  climate = await startModbusTcpSimulator({ profile: profiles.get("sonbest/xy-md02") as Profile, unitId: 9 });
  climate.set("temperature", 21.5);
  dir = mkdtempSync(join(tmpdir(), "tidegate-commission-add-"));
  file = join(dir, "agent.yaml");
  fileText = `# the technician's own file
gateway: g
buffer: { path: ":memory:" }
devices:
  - id: meter-1
    profile: eastron/sdm120
    pollIntervalMs: 500
    transport: { type: tcp, host: 127.0.0.1, port: ${meter.port} }
`;
  writeFileSync(file, fileText);
  const loaded = loadConfigFile(file);
  lifecycle = createSourcesLifecycle(loaded, () => {}, log);
  await lifecycle.start();
  changes = createConfigChanges({
    lifecycle,
    store: openConfigStore(configVersionsDir(loaded.config, file)),
    file,
    version: 0,
    log,
  });
  app = createAgentApp(stubAgentView, {
    auth: { store: auth.store },
    local: {
      preview: createPreview(lifecycle, log),
      addDevice: changes.addDevice,
      devicesCsv: {
        context: () => ({
          devices: lifecycle.loaded().config.devices,
          profiles: lifecycle.loaded().library.all(),
        }),
        add: changes.addDevices,
      },
    },
  });
});
afterAll(async () => {
  await lifecycle.stop();
  await meter.close();
  await climate.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (path: string, body: unknown, role: "viewer" | "operator" = "operator") =>
  app.request(`/api/v1/commission/${path}`, {
    method: "POST",
    headers: { ...auth.headers[role], "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
const climateDevice = (extra: Record<string, unknown> = {}) => ({
  id: "climate-1",
  profile: "sonbest/xy-md02",
  unitId: 9,
  pollIntervalMs: 300,
  transport: { type: "tcp", host: "127.0.0.1", port: climate.port },
  ...extra,
});

describe("POST /api/v1/commission/preview and /devices", () => {
  it("are for operators, and answer 400 with what is wrong and what a candidate looks like", async () => {
    expect((await post("preview", { device: climateDevice() }, "viewer")).status).toBe(403);
    expect((await post("devices", { device: climateDevice() }, "viewer")).status).toBe(403);
    const notJson = await post("preview", "{nope");
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).error).toMatch(
      /the body must be JSON: \{ device: \{ id, profile, transport/,
    );
    const badPort = await post("devices", {
      device: climateDevice({ transport: { type: "tcp", host: "x", port: "fifty" } }),
    });
    expect(badPort.status).toBe(400);
    expect((await badPort.json()).error).toMatch(/^device\.transport\.port: /);
    const badProfile = await post("preview", { device: climateDevice({ profile: "acme/none" }) });
    expect(badProfile.status).toBe(400);
    expect((await badProfile.json()).error).toMatch(
      /no Modbus profile 'acme\/none'; known: .*sonbest\/xy-md02/,
    );
    const badPoint = await post("preview", { device: climateDevice({ points: ["temperature", "wind"] }) });
    expect(badPoint.status).toBe(400);
    expect((await badPoint.json()).error).toMatch(/sonbest\/xy-md02 has no point 'wind'; it has: /);
  });

  it("previews a candidate for a few cycles with the chosen points, saving nothing", async () => {
    const res = await post("preview", { device: climateDevice({ points: ["temperature"] }), cycles: 2 });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as PreviewAnswer;
    expect(answer).toMatchObject({
      device: "climate-1",
      profile: "sonbest/xy-md02",
      unitId: 9,
      shared: false,
    });
    expect(answer.cycles).toHaveLength(2);
    for (const cycle of answer.cycles) {
      expect(cycle.failures).toEqual([]);
      expect(cycle.points).toEqual([
        expect.objectContaining({ id: "temperature", value: "21.5", unit: "°C" }),
      ]);
    }
    expect(existsSync(join(dir, "devices.d"))).toBe(false);
    expect(changes.history().versions).toEqual([]);
    expect(lifecycle.devices().map((d) => d.id)).toEqual(["meter-1"]);
  });

  it("answers 504 in words when a preview does not finish within its deadline", async () => {
    // A host that takes the connection and never answers; a short deadline stands in for a long wait.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const { port } = silent.address() as { port: number };
    const quick = createAgentApp(stubAgentView, {
      auth: { store: auth.store },
      local: { preview: createPreview(lifecycle, log, { deadlineMs: 300 }) },
    });
    try {
      const res = await quick.request("/api/v1/commission/preview", {
        method: "POST",
        headers: { ...auth.headers.operator, "content-type": "application/json" },
        body: JSON.stringify({
          device: climateDevice({ transport: { type: "tcp", host: "127.0.0.1", port } }),
        }),
      });
      expect(res.status).toBe(504);
      expect((await res.json()).error).toMatch(
        new RegExp(`^no complete preview from 127\\.0\\.0\\.1:${port}, unit 9, within 0\\.3 s: `),
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it("shares the line of a configured device instead of opening it again", async () => {
    const res = await post("preview", {
      device: climateDevice({
        id: "meter-again",
        profile: "eastron/sdm120",
        unitId: 1,
        transport: { type: "tcp", host: "127.0.0.1", port: meter.port },
      }),
      cycles: 1,
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as PreviewAnswer).shared).toBe(true);
  });

  it("adds a device as a new config version and a devices.d file, leaving the config file alone", async () => {
    const res = await post("devices", { device: climateDevice(), timeoutMs: 10_000 });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body).toEqual({ version: 1, devices: ["meter-1", "climate-1"], device: "climate-1" });
    expect(lifecycle.devices().map((d) => d.id)).toEqual(["meter-1", "climate-1"]);
    const history = changes.history();
    expect(history.current).toBe(1);
    expect(history.versions).toEqual([
      expect.objectContaining({
        version: 1,
        origin: "commission.add",
        actor: "token:test operator",
        status: "applied",
      }),
    ]);
    expect(readFileSync(file, "utf8")).toBe(fileText);
    const saved = readFileSync(join(dir, "devices.d", "climate-1.yaml"), "utf8");
    expect(saved).toMatch(
      /^# added on the gateway \(commission.add by token:test operator, config version 1\)/,
    );
    // The next start reads the same devices from the file and its folder.
    const reloaded = loadConfigFile(file);
    expect(reloaded.config.devices.map((d) => d.id)).toEqual(["meter-1", "climate-1"]);
    expect(reloaded.deviceOrigins["climate-1"]).toBe(join(dir, "devices.d", "climate-1.yaml"));

    // The next start keeps the version in force, until a device file is edited by hand.
    expect(activeConfig(reloaded).version).toBe(1);
    const later = new Date(Date.now() + 5000);
    utimesSync(join(dir, "devices.d", "climate-1.yaml"), later, later);
    const edited = activeConfig(reloaded);
    expect(edited.version).toBe(0);
    expect(edited.message).toMatch(
      /its devices\.d\/: a device file there was changed .* after remote config version 1 was put in force/,
    );
    utimesSync(join(dir, "devices.d", "climate-1.yaml"), new Date(), new Date(Date.now() - 60_000));
    utimesSync(join(dir, "devices.d"), new Date(), new Date(Date.now() - 60_000));
    expect(activeConfig(reloaded).version).toBe(1);

    const again = await post("devices", { device: climateDevice() });
    expect(again.status).toBe(400);
    expect((await again.json()).error).toMatch(
      /a device 'climate-1' exists already .*devices\.d\/climate-1\.yaml/,
    );
  });

  it("rolls back a device that does not answer: 502 with the reason, nothing written to devices.d", async () => {
    const port = await closedPort();
    const res = await post("devices", {
      device: climateDevice({ id: "ghost", transport: { type: "tcp", host: "127.0.0.1", port } }),
      timeoutMs: 1500,
    });
    expect(res.status).toBe(502);
    const body = await res.json();
    expect(body.rolledBack).toBe(true);
    expect(body.error).toMatch(/config version 2 was rolled back to version 1 because device ghost: /);
    expect(existsSync(join(dir, "devices.d", "ghost.yaml"))).toBe(false);
    expect(lifecycle.devices().map((d) => d.id)).toEqual(["meter-1", "climate-1"]);
    expect(changes.history().versions.map((v) => v.status)).toEqual(["applied", "rolled-back"]);
  }, 20_000);
});

describe("devices as CSV: GET and POST /api/v1/commission/devices.csv", () => {
  const HEADER = "id,profile,transport,address,unit_id,poll_interval_ms,serial,points";
  const postCsv = (csv: string, query = "", role: "viewer" | "operator" = "operator") =>
    app.request(`/api/v1/commission/devices.csv${query}`, {
      method: "POST",
      headers: { ...auth.headers[role], "content-type": "text/csv" },
      body: csv,
    });

  it("dry-runs every row, naming row and column of each error, and changes nothing", async () => {
    expect((await postCsv(`${HEADER}\n`, "", "viewer")).status).toBe(403);
    const bad = await postCsv(
      `${HEADER}\nmeter-1,eastron/sdm120,tcp,127.0.0.1:${meter.port},1,,,\nc-2,sonbest/xy-md02,tcp,127.0.0.1:${climate.port},x,,,\n`,
      "?dryRun=true",
    );
    expect(bad.status).toBe(400);
    const body = await bad.json();
    expect(body.errors).toEqual([
      { row: 2, column: "id", message: "a device 'meter-1' exists already on this gateway" },
      { row: 3, column: "unit_id", message: "'x' is not a whole number" },
    ]);
    expect(body.error).toMatch(/^2 errors in the CSV; nothing was changed: row 2, id: /);
    const good = await postCsv(
      `${HEADER}\nclimate-csv,sonbest/xy-md02,tcp,127.0.0.1:${climate.port},9,400,,\n`,
      "?dryRun=true",
    );
    expect(good.status).toBe(200);
    expect(await good.json()).toEqual({ dryRun: true, devices: ["climate-csv"], errors: [] });
    expect(changes.history().versions).toHaveLength(2);
    expect(existsSync(join(dir, "devices.d", "climate-csv.yaml"))).toBe(false);
  });

  it("imports the rows as one config version with a devices.d file each, and exports them again", async () => {
    const csv = `${HEADER}\nclimate-csv,sonbest/xy-md02,tcp,127.0.0.1:${climate.port},9,400,,temperature\n`;
    const res = await postCsv(csv);
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body).toEqual({
      version: 3,
      devices: ["meter-1", "climate-1", "climate-csv"],
      imported: ["climate-csv"],
    });
    expect(changes.history().versions.at(-1)).toMatchObject({
      origin: "commission.import",
      status: "applied",
    });
    expect(loadConfigFile(file).deviceOrigins["climate-csv"]).toBe(
      join(dir, "devices.d", "climate-csv.yaml"),
    );

    const exported = await app.request("/api/v1/commission/devices.csv", { headers: auth.headers.operator });
    expect(exported.status).toBe(200);
    expect(exported.headers.get("content-type")).toMatch(/^text\/csv/);
    expect((await exported.text()).split("\n")).toEqual([
      HEADER,
      `meter-1,eastron/sdm120,tcp,127.0.0.1:${meter.port},,500,,`,
      `climate-1,sonbest/xy-md02,tcp,127.0.0.1:${climate.port},9,300,,`,
      `climate-csv,sonbest/xy-md02,tcp,127.0.0.1:${climate.port},9,400,,temperature`,
      "",
    ]);
  }, 20_000);

  it("rolls back to version 0 as the config file with its devices.d folder", async () => {
    const result = await changes.rollback({ version: 0, timeoutMs: 10_000 }, "test");
    expect(result.devices).toEqual(["meter-1", "climate-1", "climate-csv"]);
    expect(changes.history().versions.at(-1)).toMatchObject({ origin: "rollback:0", status: "applied" });
  }, 20_000);

  it("refuses an add when devices.d is not a folder, and rolls back one whose file cannot be written", async () => {
    const folder = join(dir, "devices.d");
    renameSync(folder, `${folder}.aside`);
    writeFileSync(folder, "a file where the folder should be");
    try {
      const res = await post("devices", { device: climateDevice({ id: "climate-x" }) });
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatch(
        /cannot look into .*devices\.d \(ENOTDIR\); it must be a folder/,
      );
    } finally {
      rmSync(folder);
      renameSync(`${folder}.aside`, folder);
    }
    // The file's temporary name taken by a folder: the write fails after the device came up.
    const blocker = join(folder, `climate-x.yaml.tmp-${process.pid}`);
    mkdirSync(blocker);
    try {
      const res = await post("devices", { device: climateDevice({ id: "climate-x" }), timeoutMs: 10_000 });
      expect(res.status).toBe(502);
      expect((await res.json()).error).toMatch(
        /because its files could not be saved \(EISDIR.*\); the agent needs write access there/,
      );
      expect(lifecycle.devices().map((d) => d.id)).not.toContain("climate-x");
      expect(existsSync(join(folder, "climate-x.yaml"))).toBe(false);
    } finally {
      rmSync(blocker, { recursive: true });
    }
  }, 20_000);
});
