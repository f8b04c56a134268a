import { createServer, Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import {
  loadProfiles,
  modbusProfiles,
  type PointSpec,
  type Profile,
  profileSchema,
  registerCount,
} from "@tidegate/profiles";
import ModbusRTU from "modbus-serial";
import { afterEach, describe, expect, it } from "vitest";
import { encodePointValue } from "./encode/index.js";
import { type ModbusTcpSimulator, startModbusTcpSimulator } from "./modbus-tcp.js";

const HOUR = 3_600_000; // a tick that never comes during a test, so current() cannot move under a read
const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const x of open.splice(0)) await x.close();
});

async function start(profile: Profile, tickMs = HOUR): Promise<ModbusTcpSimulator> {
  const sim = await startModbusTcpSimulator({ profile, port: 0, tickMs, seed: 42 });
  open.push(sim);
  return sim;
}

async function client(sim: ModbusTcpSimulator): Promise<ModbusRTU> {
  const c = new ModbusRTU();
  await c.connectTCP(sim.host, { port: sim.port });
  c.setID(sim.unitId);
  c.setTimeout(2000);
  // close() never calls back on a socket the server already dropped.
  open.push({
    close: () => (c.isOpen ? new Promise<void>((resolve) => c.close(() => resolve())) : undefined),
  });
  return c;
}

async function readPoint(c: ModbusRTU, p: PointSpec): Promise<number[]> {
  const { table, address, type, bit } = p.register;
  const n = registerCount(p.register);
  // Bools may share a register: compare only the point's own bit.
  const mask = (words: number[]) => (type === "bool" ? words.map((w) => w & (1 << (bit ?? 0))) : words);
  if (table === "input") return mask((await c.readInputRegisters(address, n)).data);
  if (table === "holding") return mask((await c.readHoldingRegisters(address, n)).data);
  const bits = table === "coil" ? await c.readCoils(address, 1) : await c.readDiscreteInputs(address, 1);
  return [bits.data[0] ? 1 : 0];
}

// Exercises what the bundled profiles do not: bits, coils, 64-bit, strings, swapped orders.
const mixed = profileSchema.parse({
  id: "test/mixed",
  vendor: "Test",
  model: "Mixed",
  protocols: ["modbus-tcp"],
  source: { title: "none", url: "https://example.com/none" },
  defaults: { unitId: 17 },
  points: [
    {
      id: "relay",
      name: "Relay",
      register: { table: "coil", address: 3, type: "bool" },
      access: "readwrite",
    },
    { id: "door", name: "Door", register: { table: "discrete", address: 0, type: "bool" } },
    { id: "alarm", name: "Alarm", register: { table: "holding", address: 10, type: "bool", bit: 0 } },
    { id: "fault", name: "Fault", register: { table: "holding", address: 10, type: "bool", bit: 9 } },
    { id: "serial", name: "SN-0042", register: { table: "holding", address: 20, type: "string", length: 4 } },
    { id: "wh", name: "Energy", register: { table: "input", address: 30, type: "uint64", order: "CDAB" } },
    { id: "temp", name: "Temp", register: { table: "input", address: 40, type: "float32", order: "DCBA" } },
    {
      id: "setpoint",
      name: "Setpoint",
      register: { table: "holding", address: 50, type: "int32", order: "BADC" },
      scale: 0.01,
      access: "readwrite",
      min: -50,
      max: 50,
    },
  ],
});

describe("Modbus TCP simulator over a real socket", () => {
  // A SunSpec profile's points have no address of their own: sunspec-chain.test.ts reads its chain.
  for (const profile of [...modbusProfiles(loadProfiles()).filter((p) => !p.sunspec), mixed]) {
    it(`${profile.id}: every point reads back as encodePointValue(current())`, async () => {
      const sim = await start(profile);
      expect(sim.port).toBeGreaterThan(0);
      expect(sim.unitId).toBe(profile.defaults.unitId);
      const c = await client(sim);
      const now = sim.current();
      for (const p of profile.points) {
        expect(await readPoint(c, p), p.id).toEqual(encodePointValue(p, now[p.id] as number));
      }
    });
  }

  it("answers 0 for unmapped addresses inside a coalesced read", async () => {
    const profile = loadProfiles().get("eastron/sdm120") as Profile;
    const sim = await start(profile);
    const c = await client(sim);
    const { data } = await c.readInputRegisters(0, 14);
    const now = sim.current();
    const [voltage, current, power] = ["voltage", "current", "active_power"].map((id) =>
      encodePointValue(profile.points.find((p) => p.id === id) as PointSpec, now[id] as number),
    );
    expect(data).toEqual([...(voltage ?? []), 0, 0, 0, 0, ...(current ?? []), 0, 0, 0, 0, ...(power ?? [])]);
  });

  it("set() pins a value while the other points keep moving", async () => {
    const sim = await start(loadProfiles().get("eastron/sdm120") as Profile, 10);
    const c = await client(sim);
    sim.set("voltage", 231.5);
    const before = sim.current().active_power;
    await sleep(120);
    expect((await c.readInputRegisters(0, 2)).data).toEqual([0x4367, 0x8000]);
    expect(sim.current().voltage).toBe(231.5);
    expect(sim.current().active_power).not.toBe(before);
    expect(sim.served("active_power").length).toBeGreaterThan(2);
    expect(sim.served("voltage")).toContain(231.5);
    expect(() => sim.set("nope", 1)).toThrow(/no point 'nope' \(points: voltage, current/);
  });

  it("a client's writes update the registers and pin the point", async () => {
    const sim = await start(mixed, 10);
    const c = await client(sim);
    await c.writeRegisters(50, [0xffff, 0x0cfc]); // BADC of raw -1012 (0xFFFFFC0C) = -10.12
    await c.writeCoil(3, true);
    await sleep(50);
    expect(sim.current().setpoint).toBeCloseTo(-10.12, 10);
    expect((await c.readHoldingRegisters(50, 2)).data).toEqual([0xffff, 0x0cfc]);
    expect(sim.current().relay).toBe(true);
    expect((await c.readCoils(3, 1)).data[0]).toBe(true);
    sim.set("alarm", true);
    sim.set("fault", false);
    expect((await c.readHoldingRegisters(10, 1)).data).toEqual([0x0001]);
    sim.set("fault", true);
    expect((await c.readHoldingRegisters(10, 1)).data).toEqual([0x0201]);
  });

  it("refuses writes to read-only or unmapped registers and values outside min/max", async () => {
    const sim = await start(mixed);
    const c = await client(sim);
    await expect(c.writeRegister(10, 1)).rejects.toMatchObject({ modbusCode: 2 });
    await expect(c.writeRegister(99, 1)).rejects.toMatchObject({ modbusCode: 2 });
    await expect(c.writeRegisters(50, [0x0000, 0x1027])).rejects.toMatchObject({ modbusCode: 3 }); // 100.00
    const sdm = await start(loadProfiles().get("sonbest/xy-md02") as Profile);
    const c2 = await client(sdm);
    await c2.writeRegister(0x101, 7);
    expect(sdm.current().device_address).toBe(7);
    await expect(c2.writeRegister(0x101, 0)).rejects.toMatchObject({ modbusCode: 3 });
  });

  it("dropClients() cuts connections but keeps serving new ones; refuse() answers an exception", async () => {
    const sim = await start(loadProfiles().get("eastron/sdm120") as Profile);
    const c = await client(sim);
    const dropped = new Promise<void>((resolve) => c.on("close", () => resolve()));
    expect(sim.dropClients()).toBe(1);
    await dropped;
    const c2 = await client(sim);
    sim.refuse("input", 0);
    await expect(c2.readInputRegisters(0, 2)).rejects.toMatchObject({ modbusCode: 2 });
    sim.refuse("input", 0, null);
    expect((await c2.readInputRegisters(0, 2)).data).toHaveLength(2);
    c2.close(() => {});
    await sim.close();
  });

  it("refuses a read longer than the profile's maxRegisters, and with maxGap 0 one across a hole", async () => {
    const em340 = loadProfiles().get("carlo-gavazzi/em340") as Profile;
    expect(em340.defaults.maxRegisters).toBe(50);
    const sim = await start(em340);
    const c = await client(sim);
    expect((await c.readInputRegisters(0, 50)).data).toHaveLength(50);
    await expect(c.readInputRegisters(0, 51)).rejects.toMatchObject({ modbusCode: 3 });
    await expect(c.readHoldingRegisters(0x1100, 51)).rejects.toMatchObject({ modbusCode: 3 });
    expect((await c.readHoldingRegisters(0x1100, 6)).data).toHaveLength(6);
    // maxGap 0: a read spanning an address the tables do not list (1001h) is refused, as the meter does.
    expect(em340.defaults.maxGap).toBe(0);
    await expect(c.readHoldingRegisters(0x1000, 3)).rejects.toMatchObject({ modbusCode: 2 });
    c.close(() => {});
    await sim.close();
  });

  it("silence() makes reads time out at the client until it is lifted", async () => {
    const sim = await start(loadProfiles().get("eastron/sdm120") as Profile);
    const c = await client(sim);
    c.setTimeout(300);
    sim.silence(true);
    await expect(c.readInputRegisters(0, 2)).rejects.toMatchObject({ name: "TransactionTimedOutError" });
    sim.silence(false);
    expect((await c.readInputRegisters(0, 2)).data).toHaveLength(2);
    c.close(() => {});
    await sim.close();
  });

  it("close() drops clients and frees the port", async () => {
    const sim = await start(loadProfiles().get("eastron/sdm120") as Profile);
    const c = await client(sim);
    const dropped = new Promise<void>((resolve) => c.on("close", () => resolve()));
    await sim.close();
    await dropped;
    await sim.close(); // a second close is harmless
    const again = createServer();
    await new Promise<void>((resolve, reject) => {
      again.once("error", reject);
      again.listen({ port: sim.port, host: sim.host }, resolve);
    });
    await new Promise<void>((resolve) => again.close(() => resolve()));
  });

  it("binds an explicit port, and refuses one that is taken", async () => {
    const first = await start(mixed);
    const profile = loadProfiles().get("eastron/sdm120") as Profile;
    await expect(startModbusTcpSimulator({ profile, port: first.port })).rejects.toMatchObject({
      code: "EADDRINUSE",
    });
    await first.close();
    const second = await startModbusTcpSimulator({ profile, port: first.port });
    open.push(second);
    expect(second.port).toBe(first.port);
    const s = new Socket();
    await new Promise<void>((resolve, reject) => {
      s.once("error", reject);
      s.connect(second.port, second.host, resolve);
    });
    s.destroy();
  });
});
