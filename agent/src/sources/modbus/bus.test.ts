import { loadProfiles, type Profile } from "@tidegate/profiles";
import { type ModbusTcpSimulator, startModbusTcpSimulator } from "@tidegate/simulators";
import type ModbusRTU from "modbus-serial";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createBus, type ModbusBus } from "./bus.js";

// The bus against a real Modbus TCP simulator on loopback.

const log = pino({ level: "silent" });
const sdm120 = loadProfiles().get("eastron/sdm120") as Profile;
let sim: ModbusTcpSimulator | undefined;
let bus: ModbusBus | undefined;
afterEach(async () => {
  await bus?.close();
  await sim?.close();
  bus = undefined;
  sim = undefined;
});

/** modbus-serial's table of requests by transaction id (not part of its typed API). */
const transactions = (c: ModbusRTU) =>
  Object.keys((c as unknown as { _transactions: Record<number, unknown> })._transactions).length;

describe("Modbus bus", () => {
  it("keeps no answers of settled requests, past modbus-serial's 256 transaction ids", async () => {
    sim = await startModbusTcpSimulator({ profile: sdm120, port: 0, tickMs: 1000, seed: 5 });
    sim.set("voltage", 229.5);
    bus = createBus({ type: "tcp", host: "127.0.0.1", port: sim.port }, log);
    const held: number[] = [];
    for (let i = 0; i < 300; i++) {
      const words = await bus.request(1, 500, async (c) => {
        held.push(transactions(c));
        return (await c.readInputRegisters(0, 2)).data;
      });
      expect(words).toHaveLength(2);
    }
    // Without forgetting, the table grows by one answer per request up to 256.
    expect(Math.max(...held)).toBe(0);
  });

  it("answers the next request after one timed out", async () => {
    sim = await startModbusTcpSimulator({ profile: sdm120, port: 0, tickMs: 1000, seed: 6 });
    const s = sim;
    s.set("voltage", 231.5);
    bus = createBus({ type: "tcp", host: "127.0.0.1", port: s.port }, log);
    const read = () =>
      (bus as ModbusBus).request(1, 300, async (c) => (await c.readInputRegisters(0, 2)).data);
    const before = await read();
    s.silence(true);
    await expect(read()).rejects.toMatchObject({ name: "TransactionTimedOutError" });
    s.silence(false);
    expect(await read()).toEqual(before);
  });
});
