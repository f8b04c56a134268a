import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testAuthStore } from "@tidegate/http-kit/testing";
import { loadProfiles, type Profile, parseProfile } from "@tidegate/profiles";
import { type ModbusTcpSimulator, startModbusTcpSimulator } from "@tidegate/simulators";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stubAgentView } from "../../../test/helpers/agent-view.js";
import { createPreview, type PreviewAnswer } from "../commission/add/preview.js";
import { lifecycleProfileStore } from "../commission/profile/profile-store.js";
import { loadConfigFile } from "../config/load.js";
import { createConfigChanges } from "../remote/config-changes.js";
import { configVersionsDir, openConfigStore } from "../remote/config-store.js";
import { createSourcesLifecycle } from "../sources/lifecycle.js";
import { createAgentApp } from "./app.js";

// A profile for a device no profile fits, in-process: read with a draft register table from a
// simulated XY-MD02 on real Modbus TCP, checked against the values its display shows, saved in
// profiles.d/ beside the config (the user's file untouched), then a device added with it.

const log = pino({ level: "silent" });
const auth = testAuthStore();
let climate: ModbusTcpSimulator;
let dir: string;
let file: string;
let fileText: string;
let lifecycle: ReturnType<typeof createSourcesLifecycle>;
let app: ReturnType<typeof createAgentApp>;

beforeAll(async () => {
  climate = await startModbusTcpSimulator({
    profile: loadProfiles().get("sonbest/xy-md02") as Profile,
    unitId: 4,
    tickMs: 60_000,
  });
  climate.set("temperature", 21.5);
  climate.set("humidity", 48.5);
  dir = mkdtempSync(join(tmpdir(), "tidegate-commission-profile-"));
  file = join(dir, "agent.yaml");
  fileText = `# the technician's own file\ngateway: g\nbuffer: { path: ":memory:" }\ndevices: []\n`;
  writeFileSync(file, fileText);
  const loaded = loadConfigFile(file);
  lifecycle = createSourcesLifecycle(loaded, () => {}, log);
  await lifecycle.start();
  const changes = createConfigChanges({
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
      profiles: lifecycleProfileStore(lifecycle, file),
    },
  });
});
afterAll(async () => {
  await lifecycle.stop();
  await climate.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (path: string, body: unknown, role: "viewer" | "operator" = "operator") =>
  app.request(`/api/v1/commission/${path}`, {
    method: "POST",
    headers: { ...auth.headers[role], "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

const draft = {
  profile: {
    id: "acme/th-02",
    vendor: "Acme",
    model: "TH-02",
    title: "TH-02 Modbus register map",
    url: "https://example.com/th-02.pdf",
  },
  table: [
    { address: "30002", name: "Temperature", type: "int16", scale: "0.1", unit: "°C" },
    { address: "30003", name: "Humidity", type: "uint16", scale: "0.1", unit: "%RH" },
  ],
};
const device = () => ({
  id: "th-4",
  profile: "acme/th-02",
  unitId: 4,
  pollIntervalMs: 300,
  transport: { type: "tcp", host: "127.0.0.1", port: climate.port },
});
const words = (hex: string) => hex.split(" ").map((w) => Number.parseInt(w, 16));

describe("POST /api/v1/commission/profiles", () => {
  it("is for operators, and answers 400 naming what is wrong", async () => {
    expect((await post("profiles", draft, "viewer")).status).toBe(403);
    const notJson = await post("profiles", "{nope");
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).error).toMatch(/the body must be JSON: \{ profile: \{ id: <vendor\/model>/);
    const badId = await post("profiles", { ...draft, profile: { ...draft.profile, id: "Acme TH" } });
    expect((await badId.json()).error).toMatch(/^profile\.id: expected <vendor>\/<model>, lowercase/);
    const badRow = await post("profiles", {
      ...draft,
      table: [{ address: "30002", name: "T", type: "int7" }],
    });
    expect(badRow.status).toBe(400);
    expect((await badRow.json()).issues).toEqual([
      expect.stringMatching(/^row 1 \("T"\), column type: 'int7' is not a register type/),
    ]);
    const unknownColumn = await post("profiles", { ...draft, table: [{ adress: "30002" }] });
    expect((await unknownColumn.json()).error).toMatch(/^table\.0: Unrecognized key/);
  });

  it("reads the device with the draft in every byte order, without saving anything", async () => {
    const res = await post("preview", { device: device(), draft, cycles: 1 });
    const answer = (await res.json()) as PreviewAnswer;
    expect(res.status, JSON.stringify(answer)).toBe(200);
    expect(answer.cycles[0]?.points.map((p) => [p.id, p.value, p.words])).toEqual([
      ["temperature", "21.5", "00d7"],
      ["humidity", "48.5", "01e5"],
    ]);
    const wrongName = await post("preview", { device: { ...device(), profile: "acme/other" }, draft });
    expect((await wrongName.json()).error).toMatch(/^device\.profile: the draft is acme\/th-02/);
    // A device is added with a saved profile only.
    const early = await post("devices", { device: device(), draft });
    expect((await early.json()).error).toMatch(/save acme\/th-02 first/);
    expect(existsSync(join(dir, "profiles.d"))).toBe(false);
  });

  it("refuses values the display does not show, saves a checked profile, and the device is added with it", async () => {
    const wrong = await post("profiles", {
      ...draft,
      readings: [{ point: "temperature", raw: words("00d7"), display: "215" }],
    });
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).issues).toEqual([
      "readings.0 (temperature): the display shows 215, but registers 00d7 decode to 21.5 with this table; check its type, byte order and scale",
    ]);
    const readings = [
      { point: "temperature", raw: words("00d7"), display: "21.5" },
      { point: "humidity", raw: words("01e5"), display: "48.5" },
    ];
    const dry = await post("profiles?dryRun=true", { ...draft, readings });
    expect(dry.status).toBe(200);
    expect(existsSync(join(dir, "profiles.d"))).toBe(false);

    const saved = await post("profiles", { ...draft, readings });
    const answer = await saved.json();
    expect(saved.status, JSON.stringify(answer)).toBe(201);
    const path = join(dir, "profiles.d", "acme", "th-02.yaml");
    expect(answer).toMatchObject({
      profile: "acme/th-02",
      file: path,
      replaced: false,
      points: 2,
      testdata: 2,
    });
    const text = readFileSync(path, "utf8");
    expect(text).toBe(answer.yaml);
    const profile = parseProfile(text, path) as Profile;
    expect(profile.testdata).toEqual([
      { point: "temperature", raw: [0xd7], value: 21.5 },
      { point: "humidity", raw: [0x1e5], value: 48.5 },
    ]);
    // Downloadable, as the file was written.
    const download = await app.request("/api/v1/commission/profiles/acme/th-02.yaml", {
      headers: auth.headers.operator,
    });
    expect(download.headers.get("content-disposition")).toBe('attachment; filename="th-02.yaml"');
    expect(await download.text()).toBe(text);
    expect(
      (await app.request("/api/v1/commission/profiles/acme/none", { headers: auth.headers.operator })).status,
    ).toBe(404);

    const again = await post("profiles", { ...draft, readings });
    expect(again.status).toBe(409);
    expect((await again.json()).error).toMatch(/was saved before; send replace: true/);
    const shadow = await post("profiles", { ...draft, profile: { ...draft.profile, id: "sonbest/xy-md02" } });
    expect((await shadow.json()).error).toMatch(/a profile 'sonbest\/xy-md02' is in the library already/);

    const added = await post("devices", { device: device() });
    expect(added.status, JSON.stringify(await added.clone().json())).toBe(201);
    expect(readFileSync(file, "utf8")).toBe(fileText);
    expect(loadConfigFile(file).config.devices.map((d) => `${d.id}:${d.profile}`)).toEqual([
      "th-4:acme/th-02",
    ]);
    const inUse = await post("profiles", { ...draft, readings, replace: true });
    expect((await inUse.json()).error).toMatch(/acme\/th-02 is the profile of th-4/);
  });
});
