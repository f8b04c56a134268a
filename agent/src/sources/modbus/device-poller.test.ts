import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadProfiles, type Profile } from "@tidegate/profiles";
import type { Reading } from "@tidegate/protocol";
import { type ModbusTcpSimulator, startModbusTcpSimulator, startPtyPair } from "@tidegate/simulators";
import pino from "pino";
import { SerialPort } from "serialport";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../../../../test/e2e/helpers/wait.js";
import { deviceSchema } from "../../config/schema.js";
import { createBus, type ModbusBus } from "./bus.js";
import { createDevicePoller } from "./device-poller.js";

// The poller against a real Modbus TCP simulator on loopback.

const log = pino({ level: "silent" });
const sdm120 = loadProfiles().get("eastron/sdm120") as Profile;
let sim: ModbusTcpSimulator | undefined;
let bus: ModbusBus | undefined;

let poller: ReturnType<typeof createDevicePoller> | undefined;
afterEach(async () => {
  await poller?.stop();
  poller = undefined;
  await bus?.close();
  await sim?.close();
});

/** Starts polling an SDM120 (or `profile`) on `transport` every 100 ms; returns the readings it emits. */
function poll(
  transport: Record<string, unknown>,
  fields: Record<string, unknown> = {},
  profile: Profile = sdm120,
): Reading[] {
  const device = deviceSchema.parse({
    id: "meter-1",
    profile: profile.id,
    transport,
    pollIntervalMs: 100,
    timeoutMs: 500,
    ...fields,
  });
  if (device.transport.type === "serial" || device.transport.type === "opcua")
    throw new Error("not a Modbus transport");
  bus = createBus(device.transport, log);
  const seen: Reading[] = [];
  poller = createDevicePoller({ device, profile, bus, log, emit: (r) => seen.push(...r) });
  poller.start();
  return seen;
}
const until = <T>(what: string, check: () => T | undefined) => waitFor(what, check, 10_000, 20);

describe("Modbus device poller", () => {
  it("splits a block the device keeps refusing, so one bad address does not hide the others", async () => {
    sim = await startModbusTcpSimulator({ profile: sdm120, port: 0, tickMs: 100, seed: 3 });
    sim.set("voltage", 230.5);
    sim.refuse("input", 6); // `current` sits in the first block with voltage and active power
    const seen = poll({ type: "tcp", host: "127.0.0.1", port: sim.port });
    const voltage = await until("a good voltage reading next to the refused current", () =>
      seen.find((r) => r.point === "voltage" && r.quality === "good"),
    );
    expect(voltage.value).toBe(230.5);
    const current = seen.filter((r) => r.point === "current");
    expect(current.length).toBeGreaterThan(0);
    for (const r of current)
      expect(r).toMatchObject({
        quality: "bad",
        value: null,
        reason: "exception 2 (illegal data address)",
      });
    expect(poller?.health().errors?.exception).toBeGreaterThanOrEqual(3);
  });

  it("keeps every read within the profile's read limits, so a device that has them never refuses one", async () => {
    const em340 = loadProfiles().get("carlo-gavazzi/em340") as Profile;
    // The meter answers at most 50 registers per request (its measurements span 0000h-0051h) and
    // refuses a read touching an address its tables do not list (1001h between 1000h and 1002h).
    sim = await startModbusTcpSimulator({ profile: em340, port: 0, tickMs: 100, seed: 5 });
    const seen = poll({ type: "tcp", host: "127.0.0.1", port: sim.port }, {}, em340);
    const ids = em340.points.map((p) => p.id);
    await until("two polls of every point", () =>
      ids.every((id) => seen.filter((r) => r.point === id).length >= 2) ? true : undefined,
    );
    expect(seen.filter((r) => r.quality !== "good")).toEqual([]);
    expect(poller?.health().errors?.exception ?? 0).toBe(0);
  });

  it("reconnects when the device drops the connection, without losing its pace", async () => {
    sim = await startModbusTcpSimulator({ profile: sdm120, port: 0, tickMs: 100, seed: 4 });
    const s = sim;
    const seen = poll({ type: "tcp", host: "127.0.0.1", port: s.port }, { points: ["voltage"] });
    s.set("voltage", 231.25);
    await until("the first value", () => seen.find((r) => r.value === 231.25));
    await until("the connection to be dropped", () => (s.dropClients() > 0 ? true : undefined));
    s.set("voltage", 228.75);
    await until("a value after the reconnect", () => seen.find((r) => r.value === 228.75));
  });

  it("a reply with a bad CRC is a bad reading with the reason, counted as corrupt, never a value", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tidegate-crc-"));
    const pty = await startPtyPair(dir, "crc");
    // A device whose replies are mangled on the line: the right length and header, a wrong CRC.
    const line = new SerialPort({ path: pty.deviceEnd, baudRate: 9600 });
    await new Promise((r) => line.once("open", r));
    line.on("data", (req: Buffer) => {
      if (req.length < 8) return;
      const count = req.readUInt16BE(4);
      const reply = Buffer.alloc(3 + 2 * count + 2, 0x41);
      reply[0] = req[0] as number;
      reply[1] = req[1] as number;
      reply[2] = 2 * count;
      reply.writeUInt16LE(0xdead, reply.length - 2);
      line.write(reply);
    });
    const seen = poll(
      { type: "rtu", port: pty.agentEnd },
      { timeoutMs: 300, retries: 1, points: ["voltage"] },
    );
    try {
      const bad = await until("a reading of the corrupt reply", () =>
        seen.find((r) => r.point === "voltage"),
      );
      expect(bad).toMatchObject({
        quality: "bad",
        value: null,
        reason: expect.stringMatching(/^corrupt response \(CRC error/),
      });
      await until("the retry to be counted too", () =>
        (poller?.health().errors?.corrupt ?? 0) >= 2 ? true : undefined,
      );
      expect(seen.every((r) => r.quality === "bad" && r.value === null)).toBe(true);
    } finally {
      await poller?.stop();
      poller = undefined;
      await new Promise((r) => line.close(r));
      await pty.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
