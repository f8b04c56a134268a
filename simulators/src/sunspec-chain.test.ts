import { loadProfiles, type Profile, profileSchema } from "@tidegate/profiles";
import ModbusRTU from "modbus-serial";
import { afterEach, describe, expect, it } from "vitest";
import { startModbusTcpSimulator } from "./modbus-tcp.js";
import { layOutSunspec } from "./sunspec-chain.js";

const small: Profile = profileSchema.parse({
  id: "acme/ss",
  vendor: "Acme",
  model: "any",
  protocols: ["modbus-tcp"],
  source: { title: "t", url: "https://example.com/x" },
  sunspec: {
    bases: [50000],
    models: [
      { id: 1, length: 66 },
      { id: 160, length: 8, repeat: 20 },
    ],
  },
  points: [
    { id: "sn", name: "SN", register: { model: 1, offset: 48, type: "string", length: 16 } },
    {
      id: "dcv_sf",
      name: "DCV_SF",
      register: { model: 160, offset: 1, type: "int16" },
      simulate: { kind: "constant", value: -1 },
    },
    {
      id: "dcv2",
      name: "DCV 2",
      register: { model: 160, repeat: 2, offset: 10, type: "uint16" },
      scaleFactor: "dcv_sf",
    },
    { id: "plain", name: "plain", register: { table: "input", address: 3, type: "uint16" } },
  ],
});

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const x of open.splice(0)) await x.close();
});

describe("layOutSunspec", () => {
  it("chains the models from the first base, a repeating model with the blocks its points use", () => {
    const { points, fixed } = layOutSunspec(small);
    expect(fixed).toEqual([
      { address: 50000, words: [0x5375, 0x6e53] },
      { address: 50002, words: [1, 66] },
      { address: 50070, words: [160, 8 + 2 * 20] },
      { address: 50120, words: [0xffff, 0] },
    ]);
    expect(points.map((p) => [p.id, p.register.address])).toEqual([
      ["sn", 50004 + 48],
      ["dcv_sf", 50072 + 1],
      ["dcv2", 50072 + 8 + 20 + 10],
      ["plain", 3],
    ]);
  });
});

describe("a simulated SunSpec device over a real socket", () => {
  it("serves the marker, each model's ID and L, its points (raw at the scale factor) and the end", async () => {
    const sim = await startModbusTcpSimulator({ profile: small, port: 0, tickMs: 3_600_000, seed: 1 });
    open.push(sim);
    sim.set("dcv2", 412.3);
    const c = new ModbusRTU();
    await c.connectTCP(sim.host, { port: sim.port });
    c.setID(sim.unitId);
    open.push({ close: () => new Promise<void>((resolve) => c.close(() => resolve())) });
    const words = async (start: number, n: number) => (await c.readHoldingRegisters(start, n)).data;
    expect(await words(50000, 4)).toEqual([0x5375, 0x6e53, 1, 66]);
    expect(await words(50070, 4)).toEqual([160, 48, 0, 0xffff]);
    expect(await words(50072 + 38, 1)).toEqual([4123]);
    expect(await words(50120, 2)).toEqual([0xffff, 0]);
    // A new factor keeps the value: its register is encoded again at the new power of ten.
    sim.set("dcv_sf", -2);
    expect(await words(50072 + 38, 1)).toEqual([41230]);
    expect(sim.current().dcv2).toBeCloseTo(412.3, 9);
  });

  it("lays out the bundled SunSpec profile's every model", () => {
    const profile = loadProfiles().get("sunspec/inverter") as Profile;
    const ids = layOutSunspec(profile).fixed.map((f) => f.words[0]);
    expect(ids).toEqual([0x5375, 1, 101, 102, 103, 111, 112, 113, 120, 121, 122, 123, 124, 160, 0xffff]);
  });
});
