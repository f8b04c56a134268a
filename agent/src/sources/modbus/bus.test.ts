import { loadProfiles, type Profile } from "@tidegate/profiles";
import { type ModbusTcpSimulator, startModbusTcpSimulator } from "@tidegate/simulators";
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

describe("Modbus bus", () => {
  it("answers many requests in turn on one connection, past a wrap of the transaction id's low byte", async () => {
    sim = await startModbusTcpSimulator({ profile: sdm120, port: 0, tickMs: 1000, seed: 5 });
    sim.set("voltage", 229.5);
    bus = createBus({ type: "tcp", host: "127.0.0.1", port: sim.port }, log);
    const b = bus;
    const first = await b.request(1, 500, (c) => c.readInputRegisters(0, 2));
    const answers = await Promise.all(
      Array.from({ length: 300 }, () => b.request(1, 500, (c) => c.readInputRegisters(0, 2))),
    );
    expect(answers.every((w) => w[0] === first[0] && w[1] === first[1])).toBe(true);
    expect(b.opened).toBe(1);
  });

  it("answers the next request after one timed out", async () => {
    sim = await startModbusTcpSimulator({ profile: sdm120, port: 0, tickMs: 1000, seed: 6 });
    const s = sim;
    s.set("voltage", 231.5);
    bus = createBus({ type: "tcp", host: "127.0.0.1", port: s.port }, log);
    const read = () => (bus as ModbusBus).request(1, 300, (c) => c.readInputRegisters(0, 2));
    const before = await read();
    s.silence(true);
    await expect(read()).rejects.toMatchObject({ name: "TransactionTimedOutError" });
    s.silence(false);
    expect(await read()).toEqual(before);
  });
});
