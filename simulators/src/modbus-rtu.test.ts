import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadProfiles, type Profile } from "@tidegate/profiles";
import ModbusRTU from "modbus-serial";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ModbusRtuSimulator, startModbusRtuSimulator } from "./modbus-rtu.js";
import { type PtyPair, startPtyPair } from "./pty/pty-pair.js";

// Real serial frames (RTU with CRC) over a socat PTY pair: the master here is modbus-serial, as in the agent.

const profiles = loadProfiles();
const sdm120 = profiles.get("eastron/sdm120") as Profile;
const xymd02 = profiles.get("sonbest/xy-md02") as Profile;

let dir: string;
let pty: PtyPair;
let sim: ModbusRtuSimulator;
let master: ModbusRTU;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-rtu-sim-"));
  pty = await startPtyPair(dir);
  sim = await startModbusRtuSimulator({
    path: pty.deviceEnd,
    slaves: [
      { unitId: 1, profile: sdm120, seed: 1 },
      { unitId: 2, profile: xymd02, seed: 2 },
    ],
  });
  master = new ModbusRTU();
  await master.connectRTUBuffered(pty.agentEnd, { baudRate: 9600 });
  master.setTimeout(300);
});
afterEach(async () => {
  await new Promise<void>((r) => master.close(() => r()));
  await sim.close();
  await pty.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("Modbus RTU simulator on a PTY", () => {
  it("answers each slave on the bus from its own profile", async () => {
    sim.slave(1).set("voltage", 231.5);
    sim.slave(2).set("temperature", 21.5);
    master.setID(1);
    const volts = await master.readInputRegisters(0, 2);
    expect(volts.buffer.readFloatBE(0)).toBe(231.5);
    master.setID(2);
    const temp = await master.readInputRegisters(1, 1);
    expect(temp.data[0]).toBe(215);
    expect(sim.registersServed(1)).toBe(2);
  });

  it("a silenced or absent slave does not answer, and the others still do", async () => {
    sim.silence(2, true);
    master.setID(2);
    await expect(master.readInputRegisters(1, 1)).rejects.toMatchObject({ name: "TransactionTimedOutError" });
    master.setID(7);
    await expect(master.readInputRegisters(0, 1)).rejects.toMatchObject({ name: "TransactionTimedOutError" });
    master.setID(1);
    expect((await master.readInputRegisters(0, 2)).data).toHaveLength(2);
    sim.silence(2, false);
    master.setID(2);
    expect((await master.readInputRegisters(1, 1)).data).toHaveLength(1);
  });
});
