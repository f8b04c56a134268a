import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AnyProfile, bundledProfilesDir, parseProfile } from "@tidegate/profiles";
import { commandArgsSchemas } from "@tidegate/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createProfileStore } from "../commission/profile/profile-store.js";
import type { LoadedConfig } from "../config/load.js";
import { type DeviceConfig, deviceSchema } from "../config/schema.js";
import { createDevicePush } from "./device-push.js";
import { CommandError, ConfigRolledBackError } from "./errors.js";

const VALVE = `id: acme/valve
vendor: ACME
model: Valve controller
protocols: [modbus-tcp]
source: { title: "A test profile", url: "https://example.com/valve" }
points:
  - { id: setpoint, name: Setpoint, unit: m3/h, register: { ref: "40011", type: float32, order: CDAB }, access: readwrite, min: 0, max: 20000 }
  - { id: flow, name: Flow, unit: m3/h, register: { table: input, address: 0, type: uint16 }, scale: 0.1 }
testdata:
  - { point: setpoint, raw: [0, 16968], value: 50 }
`;
const valve = parseProfile(VALVE, "valve.yaml");
const device = (id: string, transport: Record<string, unknown> = { type: "tcp", host: "10.0.0.9" }) =>
  deviceSchema.parse({ id, profile: "acme/valve", transport });
const addArgs = (args: Record<string, unknown>) => commandArgsSchemas["device.add"].parse(args);

let dir: string;
let profiles: Map<string, AnyProfile>;
let devices: DeviceConfig[];
let added: DeviceConfig[];
let addFails: Error | undefined;
let texts: Map<string, string>;

function push(portExists: (p: string) => boolean = () => true) {
  const loaded = () =>
    ({
      config: { devices },
      profiles,
      library: { all: () => profiles },
      deviceOrigins: { "valve-1": "/etc/tidegate/agent.yaml" },
    }) as unknown as LoadedConfig;
  return createDevicePush({
    loaded,
    forgetProfile: (id) => void profiles.delete(id),
    profiles: createProfileStore({
      dir: () => dir,
      profiles: () => profiles,
      usedBy: () => [],
      learn: (p) => void profiles.set(p.id, p),
    }),
    addDevice: async (d) => {
      if (addFails) throw addFails;
      added.push(d);
      devices = [...devices, d];
      return { version: 4, devices: devices.map((x) => x.id) };
    },
    portExists,
    profileText: (id) => texts.get(id),
  });
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: Error) => e,
  );
  expect(err).toBeInstanceOf(CommandError);
  return (err as Error).message;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-push-"));
  profiles = new Map();
  devices = [];
  added = [];
  addFails = undefined;
  texts = new Map();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("device.export", () => {
  it("answers the device's entry and its profile as YAML that reads back as the same profile", () => {
    profiles.set(valve.id, valve);
    devices = [device("valve-1")];
    const out = push().exportDevice({ device: "valve-1" });
    expect(out.device).toMatchObject({
      id: "valve-1",
      profile: "acme/valve",
      transport: { host: "10.0.0.9" },
    });
    expect(out.profile?.id).toBe("acme/valve");
    expect(parseProfile(out.profile?.yaml ?? "", "sent")).toEqual(valve);
    expect(() => push().exportDevice({ device: "nope" })).toThrow(/no device 'nope'; devices: valve-1/);
  });

  it("sends the profile's file as written, or the profile written out only when it reads back the same", () => {
    profiles.set(valve.id, valve);
    devices = [device("valve-1")];
    texts.set(valve.id, VALVE);
    expect(push().exportDevice({ device: "valve-1" }).profile?.yaml).toBe(VALVE);
    // A file that no longer reads as the running profile (edited since the start) is not sent.
    texts.set(valve.id, VALVE.replace("Flow, unit", "Flux, unit"));
    expect(push().exportDevice({ device: "valve-1" }).profile?.yaml).not.toContain("Flux");
    // A SunSpec point's address is filled in by the schema: written out, it would not read back.
    const file = join(bundledProfilesDir, "sunspec", "meter.yaml");
    const meter = parseProfile(readFileSync(file, "utf8"), file);
    profiles.set(meter.id, meter);
    devices = [deviceSchema.parse({ id: "m1", profile: meter.id, transport: { type: "tcp", host: "h" } })];
    expect(() => push().exportDevice({ device: "m1" })).toThrow(
      /cannot find the file of profile sunspec\/meter/,
    );
    texts.set(meter.id, readFileSync(file, "utf8"));
    expect(push().exportDevice({ device: "m1" }).profile?.id).toBe("sunspec/meter");
  });
});

describe("device.add", () => {
  it("saves the profile a target lacks, then adds the device as a config change", async () => {
    const result = await push().addDevice(
      addArgs({ device: device("valve-1"), profile: { id: "acme/valve", yaml: VALVE } }),
      "ana",
    );
    expect(result).toEqual({
      version: 4,
      devices: ["valve-1"],
      device: "valve-1",
      profile: { id: "acme/valve", saved: true },
    });
    expect(readFileSync(join(dir, "acme", "valve.yaml"), "utf8")).toBe(VALVE);
    expect(profiles.has("acme/valve")).toBe(true);
    expect(added.map((d) => d.id)).toEqual(["valve-1"]);
  });

  it("uses the target's own profile when it is the same, and refuses one that differs", async () => {
    profiles.set(valve.id, valve);
    const same = await push().addDevice(
      addArgs({ device: device("valve-2"), profile: { id: "acme/valve", yaml: VALVE } }),
      undefined,
    );
    expect(same.profile).toEqual({ id: "acme/valve", saved: false });
    expect(existsSync(join(dir, "acme", "valve.yaml"))).toBe(false);
    const other = VALVE.replace("Flow, unit: m3/h", "Flow, unit: l/s");
    expect(
      await refusal(
        push().addDevice(
          addArgs({ device: device("valve-3"), profile: { id: "acme/valve", yaml: other } }),
          undefined,
        ),
      ),
    ).toMatch(/^device.add \(valve-3\): this gateway's profile acme\/valve differs from the one sent/);
    expect(added.map((d) => d.id)).toEqual(["valve-2"]);
  });

  it("refuses a device id that exists, a missing port, an invalid device or profile; nothing is saved", async () => {
    devices = [device("valve-1")];
    const carried = { id: "acme/valve", yaml: VALVE };
    expect(
      await refusal(push().addDevice(addArgs({ device: device("valve-1"), profile: carried }), "ana")),
    ).toBe(
      "device.add (valve-1): a device 'valve-1' exists already on this gateway (/etc/tidegate/agent.yaml); choose another id",
    );
    const rtu = device("meter-9", { type: "rtu", port: "/dev/serial/by-id/usb-FTDI-if00" });
    expect(
      await refusal(push(() => false).addDevice(addArgs({ device: rtu, profile: carried }), "ana")),
    ).toMatch(
      /^device.add \(meter-9\): port \/dev\/serial\/by-id\/usb-FTDI-if00 does not exist on this gateway/,
    );
    expect(
      await refusal(
        push().addDevice(
          addArgs({ device: { id: "m2", profile: "acme/valve", transport: { type: "tcp" } } }),
          "ana",
        ),
      ),
    ).toMatch(/^device.add \(m2\): invalid device: transport.host: /);
    const broken = VALVE.replace("type: uint16", "type: uint17");
    expect(
      await refusal(
        push().addDevice(
          addArgs({ device: device("m3"), profile: { id: "acme/valve", yaml: broken } }),
          "ana",
        ),
      ),
    ).toMatch(/invalid device profile\n {2}at points.1.register.type: /);
    expect(await refusal(push().addDevice(addArgs({ device: device("m4") }), "ana"))).toMatch(
      /this gateway has no profile 'acme\/valve' and none was sent/,
    );
    expect(added).toEqual([]);
    expect(existsSync(join(dir, "acme"))).toBe(false);
  });

  it("removes the profile it saved when the change is rolled back", async () => {
    addFails = new ConfigRolledBackError(
      "config version 4 was rolled back to version 3 because device valve-1: timeout",
    );
    const err = await push()
      .addDevice(addArgs({ device: device("valve-1"), profile: { id: "acme/valve", yaml: VALVE } }), "ana")
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(ConfigRolledBackError);
    expect(existsSync(join(dir, "acme", "valve.yaml"))).toBe(false);
    expect(profiles.has("acme/valve")).toBe(false);
  });
});
