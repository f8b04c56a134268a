import { loadProfiles, modbusProfiles, type Profile, type RegisterTable } from "@tidegate/profiles";
import { SimulatedDevice } from "@tidegate/simulators";
import { describe, expect, it } from "vitest";
import type { ModbusBus } from "../../sources/modbus/bus.js";
import type { ModbusClient } from "../../sources/modbus/wire/client.js";
import { deviceReads } from "./device-reads.js";
import { identifyDevice } from "./identify-device.js";

// Pure logic against a fake transport: a simulated device's register image behind a bus that
// logs every request, so the requests identify sends can be counted without a line.

const profiles = loadProfiles();

function fakeBus(device: SimulatedDevice, o: { silentFrom?: number } = {}) {
  const sent: string[] = [];
  const read = (table: RegisterTable) => async (start: number, count: number) => {
    sent.push(`${table} ${start}+${count}`);
    if (o.silentFrom !== undefined && start + count > o.silentFrom)
      throw Object.assign(new Error("Timed out"), { name: "TransactionTimedOutError" });
    return Array.from({ length: count }, (_, i) => device.read(table, start + i));
  };
  const client = {
    readHoldingRegisters: read("holding"),
    readInputRegisters: read("input"),
    readCoils: read("coil"),
    readDiscreteInputs: read("discrete"),
    readDeviceIdentification: async () => {
      sent.push("device identification");
      throw Object.assign(new Error("Illegal function"), { modbusCode: 1 });
    },
  } as unknown as ModbusClient;
  const bus = {
    label: "fake",
    request: (_unit: number, _timeout: number, fn: (c: ModbusClient) => Promise<unknown>) => fn(client),
  } as unknown as ModbusBus;
  return { bus, sent };
}

const device = (id: string) => {
  const d = new SimulatedDevice(profiles.get(id) as Profile, { seed: 3 });
  d.tick(0);
  return d;
};

describe("identify's reads", () => {
  it("reads each address range of a device once for all candidates, in far fewer requests than one per profile block", async () => {
    const { bus, sent } = fakeBus(device("eastron/sdm120"));
    const all = modbusProfiles(profiles);
    const ranked = await identifyDevice(bus, 7, all, { timeoutMs: 100 });
    expect(ranked[0]?.profile).toBe("eastron/sdm120");
    // Each profile read on its own took 120 requests here (SunSpec bases and blocks again per profile).
    expect(sent.length).toBeLessThan(60);
    expect(new Set(sent).size).toBe(sent.length);
    expect(sent.filter((s) => s === "device identification")).toHaveLength(1);
  });

  it("walks a SunSpec chain once however many SunSpec profiles are candidates", async () => {
    const sunspec = modbusProfiles(profiles).filter((p) => p.sunspec);
    expect(sunspec.length).toBeGreaterThan(1);
    const { bus, sent } = fakeBus(device("sunspec/inverter"));
    const ranked = await identifyDevice(bus, 1, sunspec, { timeoutMs: 100 });
    expect(ranked[0]?.profile).toMatch(/^sunspec\/inverter/);
    expect(new Set(sent).size).toBe(sent.length);
  });

  it("remembers a range that timed out: a block inside it fails again without a request", async () => {
    const { bus, sent } = fakeBus(device("eastron/sdm120"), { silentFrom: 100 });
    const reads = deviceReads(bus, 7, 100);
    await expect(reads.read({ table: "input", start: 90, count: 20 })).rejects.toThrow(/Timed out/);
    await expect(reads.read({ table: "input", start: 95, count: 10 })).rejects.toThrow(/Timed out/);
    // Outside it, and words already read, are still served.
    expect(await reads.read({ table: "input", start: 0, count: 4 })).toHaveLength(4);
    expect(await reads.read({ table: "input", start: 1, count: 2 })).toHaveLength(2);
    expect(sent).toEqual(["input 90+20", "input 0+4"]);
    expect(reads.requests).toBe(2);
  });

  it("asks a silent range once when a candidate's block is the coalesced block itself", async () => {
    const { bus, sent } = fakeBus(device("eastron/sdm120"), { silentFrom: 0 });
    const reads = deviceReads(bus, 7, 100);
    const sdm = profiles.get("eastron/sdm120") as Profile;
    const inputs = sdm.points.filter((p) => p.register.table === "input");
    await reads.prefetch(inputs);
    const asked = sent.splice(0);
    expect(asked.length).toBeGreaterThan(0);
    for (const block of asked) {
      const [, start, count] = /^input (\d+)\+(\d+)$/.exec(block) ?? [];
      await expect(
        reads.read({ table: "input", start: Number(start), count: Number(count) }),
      ).rejects.toThrow(/Timed out/);
    }
    expect(sent).toEqual([]);
  });

  it("tries a candidate's own block again when a coalesced read of it was refused", async () => {
    const d = device("eastron/sdm120");
    d.refuse("input", 2);
    const { bus, sent } = fakeBus(d);
    const reads = deviceReads(bus, 7, 100);
    const sdm = profiles.get("eastron/sdm120") as Profile;
    await reads.prefetch(sdm.points);
    expect(sent.splice(0)).toContainEqual(expect.stringMatching(/^input 0\+\d+$/));
    // The whole coalesced block was refused for one hole; a candidate's block before the hole
    // still reads, once, and the hole alone keeps failing (from memory the second time).
    expect(await reads.read({ table: "input", start: 0, count: 2 })).toHaveLength(2);
    expect(await reads.read({ table: "input", start: 0, count: 2 })).toHaveLength(2);
    await expect(reads.read({ table: "input", start: 2, count: 2 })).rejects.toThrow();
    await expect(reads.read({ table: "input", start: 2, count: 2 })).rejects.toThrow();
    expect(sent).toEqual(["input 0+2", "input 2+2"]);
  });
});
