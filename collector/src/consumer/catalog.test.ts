import { describe, expect, it } from "vitest";
import { pointInfo } from "./catalog.js";

describe("pointInfo", () => {
  it("maps device/point to the profile's name and unit", () => {
    const info = pointInfo({
      v: 1,
      gateway: "g",
      at: 1,
      devices: [
        {
          id: "m1",
          profile: "eastron/sdm120",
          points: [
            { id: "voltage", name: "Voltage", unit: "V" },
            { id: "state", name: "State" },
            { id: "temp", name: "Temperature", unit: "°C", decimals: 1 },
            { id: "address", name: "Address", decimals: 0, writable: true },
          ],
        },
      ],
    });
    expect(info.get("m1/voltage")).toEqual({ name: "Voltage", unit: "V" });
    expect(info.get("m1/state")).toEqual({ name: "State" });
    expect(info.get("m1/temp")).toEqual({ name: "Temperature", unit: "°C", decimals: 1 });
    expect(info.get("m1/address")).toEqual({ name: "Address", decimals: 0, writable: true });
    expect(pointInfo(undefined).size).toBe(0);
  });
});
