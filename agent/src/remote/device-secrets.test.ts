import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadProfiles, type OpcuaProfile } from "@tidegate/profiles";
import { type OpcuaSimulator, startOpcuaSimulator } from "@tidegate/simulators";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfigFile } from "../config/load.js";
import type { DeviceConfig } from "../config/schema.js";
import { resolveSecret, type SecretRef } from "../config/secrets.js";
import { createSourcesLifecycle } from "../sources/lifecycle.js";
import { createConfigChanges } from "./config-changes.js";
import { configVersionsDir, openConfigStore } from "./config-store.js";
import { moveDeviceSecrets } from "./device-secrets.js";

const dir = mkdtempSync(join(tmpdir(), "tidegate-device-secrets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const opcuaDevice = (id: string, endpoint: string, password: SecretRef) =>
  ({
    id,
    profile: "generic/opcua-machine",
    pollIntervalMs: 1000,
    timeoutMs: 2000,
    transport: { type: "opcua", endpoint, auth: { type: "username", username: "op", password } },
  }) as unknown as DeviceConfig;
const authOf = (d: DeviceConfig) => (d.transport as { auth: { password: SecretRef } }).auth;

describe("moveDeviceSecrets", () => {
  it("moves an inline password into a 0600 file the device names, and undo removes it", () => {
    const secrets = join(dir, "unit", "secrets.d");
    const { device, undo } = moveDeviceSecrets(
      secrets,
      opcuaDevice("plc-1", "opc.tcp://plc:4840", "s3cret "),
    );
    const file = join(secrets, "plc-1.transport.auth.password");
    expect(authOf(device).password).toEqual({ file });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(secrets).mode & 0o777).toBe(0o700);
    expect(resolveSecret(authOf(device).password, "password")).toBe("s3cret ");
    undo();
    expect(readdirSync(secrets)).toEqual([]);
  });

  it("keeps a hand-written { env } or { file } reference as it is, and writes nothing", () => {
    const secrets = join(dir, "refs", "secrets.d");
    for (const ref of [{ env: "PLC_PASSWORD" }, { file: "/etc/tidegate/plc.pw" }]) {
      const { device } = moveDeviceSecrets(secrets, opcuaDevice("plc-2", "opc.tcp://plc:4840", ref));
      expect(authOf(device).password).toEqual(ref);
    }
    expect(() => readdirSync(secrets)).toThrow(/ENOENT/);
  });
});

describe("a user/password OPC UA device added on the gateway", () => {
  const log = pino({ level: "silent" });
  let sim: OpcuaSimulator;
  let file: string;
  let lifecycle: ReturnType<typeof createSourcesLifecycle>;
  let changes: ReturnType<typeof createConfigChanges>;

  beforeAll(async () => {
    const root = join(dir, "agent");
    sim = await startOpcuaSimulator({
      profile: loadProfiles().get("generic/opcua-machine") as OpcuaProfile,
      pkiDir: join(dir, "sim"),
      users: [{ username: "op", password: "s3cret" }],
    });
    file = join(dir, "agent.yaml");
    writeFileSync(file, `gateway: g\nbuffer: { path: ${join(root, "buffer.db")} }\ndevices: []\n`);
    const loaded = loadConfigFile(file);
    lifecycle = createSourcesLifecycle(loaded, () => {}, log, { stateDir: root });
    await lifecycle.start();
    changes = createConfigChanges({
      lifecycle,
      store: openConfigStore(configVersionsDir(loaded.config, file)),
      file,
      version: 0,
      log,
    });
  }, 60_000);
  afterAll(async () => {
    await lifecycle.stop();
    await sim.close();
  });

  it("keeps the password in secrets.d/ only: not in devices.d/, a config version or config.get", async () => {
    const result = await changes.addDevice(opcuaDevice("plc-3", sim.endpointUrl, "s3cret"), {
      timeoutMs: 30_000,
    });
    expect(result.version).toBe(1);
    const saved = readFileSync(join(dir, "devices.d", "plc-3.yaml"), "utf8");
    const versions = configVersionsDir(lifecycle.loaded().config, file);
    const texts = [saved, ...readdirSync(versions).map((f) => readFileSync(join(versions, f), "utf8"))];
    for (const text of texts) expect(text).not.toContain("s3cret");
    const secret = join(dir, "secrets.d", "plc-3.transport.auth.password");
    expect(saved).toContain(`file: ${secret}`);
    expect(readFileSync(secret, "utf8")).toBe("s3cret\n");
    // config.get shows the reference: not a secret itself (an inline one reads as the mask).
    const shown = changes.get().config as { devices: DeviceConfig[] };
    expect(authOf(shown.devices[0] as DeviceConfig).password).toEqual({ file: secret });
    expect(JSON.stringify(shown)).not.toContain("s3cret");
    // The next start reads the device, and its password, from the files.
    const reloaded = loadConfigFile(file).config.devices[0] as DeviceConfig;
    expect(resolveSecret(authOf(reloaded).password, "password")).toBe("s3cret");
  }, 60_000);

  it("removes the password file again when the change is rolled back", async () => {
    const wrong = opcuaDevice("plc-4", sim.endpointUrl, "wrong");
    await expect(changes.addDevice(wrong, { timeoutMs: 5_000 })).rejects.toThrow(/rolled back/);
    expect(readdirSync(join(dir, "secrets.d"))).toEqual(["plc-3.transport.auth.password"]);
  }, 60_000);
});
