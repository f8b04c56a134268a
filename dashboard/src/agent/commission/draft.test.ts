import { describe, expect, it } from "vitest";
import { deviceOf, suggestId, transportOf, withSerial } from "./draft.js";

describe("the commissioning page's device draft", () => {
  it("takes the transport from where the scan looked and the setting the device answered at", () => {
    const serial = { baudRate: 19200, parity: "even" as const, dataBits: 8 as const, stopBits: 1 as const };
    expect(transportOf({ serial: "/dev/ttyUSB0" }, { unitId: 7, setting: "19200 8E1", serial })).toEqual({
      type: "rtu",
      port: "/dev/ttyUSB0",
      ...serial,
    });
    expect(transportOf({ host: "10.0.0.5", port: 502 }, { unitId: 3, setting: "tcp" })).toEqual({
      type: "tcp",
      host: "10.0.0.5",
      port: 502,
    });
  });

  it("keeps the line setting the technician chose for an RTU device, and leaves TCP alone", () => {
    const rtu = {
      type: "rtu" as const,
      port: "/dev/ttyUSB0",
      baudRate: 9600,
      parity: "none" as const,
      dataBits: 8 as const,
      stopBits: 1 as const,
    };
    const chosen = { baudRate: 19200, parity: "even" as const, dataBits: 8 as const, stopBits: 2 as const };
    expect(withSerial(rtu, chosen)).toEqual({ type: "rtu", port: "/dev/ttyUSB0", ...chosen });
    const tcp = { type: "tcp" as const, host: "10.0.0.5", port: 502 };
    expect(withSerial(tcp, chosen)).toBe(tcp);
    expect(withSerial(rtu, undefined)).toBe(rtu);
  });

  it("suggests an id from the model and unit id that is not taken yet", () => {
    expect(suggestId("eastron/sdm120", 7, [])).toBe("sdm120-7");
    expect(suggestId("eastron/sdm120", 7, ["sdm120-7", "sdm120-7-2"])).toBe("sdm120-7-3");
    expect(suggestId("acme/em 10+", 1, [])).toBe("em-10--1");
  });

  it("leaves points out when all are chosen, and names them when some are", () => {
    const base = {
      id: " meter-7 ",
      profile: "eastron/sdm120",
      transport: { type: "tcp" as const, host: "h", port: 502 },
      unitId: 7,
      pollIntervalMs: 1000,
      allPoints: ["voltage", "current"],
    };
    expect(deviceOf({ ...base, points: ["current", "voltage"] })).not.toHaveProperty("points");
    expect(deviceOf({ ...base, points: ["voltage"] })).toMatchObject({ id: "meter-7", points: ["voltage"] });
  });
});
