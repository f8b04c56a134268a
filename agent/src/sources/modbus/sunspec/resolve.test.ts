import { type Profile, profileSchema } from "@tidegate/profiles";
import { describe, expect, it } from "vitest";
import { resolveSunspecPoints } from "./resolve.js";

const profile: Profile = profileSchema.parse({
  id: "acme/sunspec",
  vendor: "Acme",
  model: "any",
  protocols: ["modbus-tcp"],
  source: { title: "t", url: "https://example.com/x" },
  sunspec: {
    models: [
      { id: 1, length: 66 },
      { id: 103, length: 50 },
      { id: 160, length: 8, repeat: 20 },
    ],
  },
  points: [
    { id: "sn", name: "SN", register: { model: 1, offset: 48, type: "string", length: 16 } },
    { id: "pad", name: "Pad", register: { model: 1, offset: 65, type: "uint16" } },
    { id: "a", name: "A", register: { model: 103, offset: 0, type: "uint16" } },
    { id: "a_sf", name: "A_SF", register: { model: 103, offset: 4, type: "int16" } },
    { id: "wh", name: "WH", register: { model: 103, offset: 22, type: "uint32" }, notImplemented: 0 },
    { id: "m2_dcv", name: "DCV 2", register: { model: 160, repeat: 2, offset: 10, type: "uint16" } },
    { id: "m3_dcv", name: "DCV 3", register: { model: 160, repeat: 3, offset: 10, type: "uint16" } },
    { id: "plain", name: "plain", register: { table: "input", address: 7, type: "uint16" } },
  ],
});

const chain = {
  base: 40000,
  models: [
    { id: 1, start: 40002, length: 65 },
    { id: 103, start: 40069, length: 50 },
    { id: 160, start: 40121, length: 48 },
  ],
};

describe("resolveSunspecPoints", () => {
  const { points, unresolved } = resolveSunspecPoints(profile.points, profile.sunspec as never, chain);
  const address = (id: string) => points.find((p) => p.id === id)?.register.address;

  it("puts each point at its model's start on this device, past ID and L", () => {
    expect(address("sn")).toBe(40002 + 2 + 48);
    expect(address("a")).toBe(40069 + 2);
    expect(address("a_sf")).toBe(40069 + 2 + 4);
    expect(address("wh")).toBe(40069 + 2 + 22);
  });

  it("counts a repeating block after the fixed part and the blocks before it", () => {
    expect(address("m2_dcv")).toBe(40121 + 2 + 8 + 20 + 10);
  });

  it("leaves points the device's models do not reach unresolved, saying why", () => {
    expect(unresolved.map((u) => [u.point.id, u.reason])).toEqual([
      ["pad", "model 1 on the device has 65 registers; this point needs 66"],
      ["m3_dcv", "model 160 on the device has 48 registers; this point (block 3) needs 59"],
    ]);
    const without103 = resolveSunspecPoints(profile.points, profile.sunspec as never, {
      base: 40000,
      models: [chain.models[0] as never],
    });
    expect(without103.unresolved.find((u) => u.point.id === "a")?.reason).toBe(
      "the device publishes no SunSpec model 103",
    );
  });

  it("gives SunSpec's not-implemented value by type unless the profile gives one", () => {
    const ni = (id: string) => points.find((p) => p.id === id)?.notImplemented;
    expect([ni("a"), ni("a_sf"), ni("wh")]).toEqual([0xffff, -0x8000, 0]);
  });

  it("passes other points as they are", () => {
    expect(points.find((p) => p.id === "plain")).toBe(profile.points.find((p) => p.id === "plain"));
  });
});
