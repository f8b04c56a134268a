import { loadProfiles, type Profile } from "@tidegate/profiles";
import { describe, expect, it } from "vitest";
import { SimulatedDevice } from "./device.js";

const sdm120 = loadProfiles().get("eastron/sdm120") as Profile;

describe("simulated device faults", () => {
  it("a spike is served for the ticks asked, then the point moves on without being pinned", () => {
    const d = new SimulatedDevice(sdm120, { seed: 1 });
    d.tick(0);
    d.spike("voltage", 400, 2);
    expect(d.current().voltage).toBe(400);
    d.tick(1);
    expect(d.current().voltage).toBe(400);
    d.tick(2);
    expect(d.current().voltage).toBe(400);
    d.tick(3);
    expect(d.current().voltage).not.toBe(400);
    expect(d.current().voltage).toBeGreaterThan(200);
  });

  it("a refused address answers an exception until lifted", () => {
    const d = new SimulatedDevice(sdm120, { seed: 1 });
    d.tick(0);
    d.refuse("input", 0);
    expect(() => d.read("input", 0)).toThrow(expect.objectContaining({ modbusErrorCode: 2 }));
    d.refuse("input", 0, null);
    expect(d.read("input", 0)).toBeTypeOf("number");
  });
});
