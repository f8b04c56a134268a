import { describe, expect, it } from "vitest";
import { BusUnavailableError } from "./bus.js";
import { describeModbusError } from "./errors.js";

describe("describeModbusError", () => {
  it("names Modbus exceptions, timeouts and corrupt frames", () => {
    expect(describeModbusError({ modbusCode: 2 }, 500)).toMatchObject({
      reason: "exception 2 (illegal data address)",
      kind: "exception",
      retry: false,
    });
    expect(describeModbusError(new Error("Timed out"), 500)).toMatchObject({
      reason: "timeout after 500 ms",
      kind: "timeout",
    });
    expect(describeModbusError(new Error("CRC error"), 500)).toMatchObject({ kind: "corrupt", retry: true });
  });

  it("gives a reason, never an empty one or a crash, for whatever a driver rejects with", () => {
    for (const err of [null, undefined, [], "", { message: 5 }]) {
      const info = describeModbusError(err, 500);
      expect(info.reason.length, String(err)).toBeGreaterThan(0);
      expect(info.kind).toBe("connection");
    }
    expect(describeModbusError(null, 500).reason).toBe("unknown error");
    expect(describeModbusError("port closed", 500).reason).toBe("port closed");
  });

  it("gives our own errors' message as the reason, not their code as a system error code", () => {
    const err = new BusUnavailableError("cannot open /dev/ttyUSB0: no such port");
    expect(describeModbusError(err, 500)).toMatchObject({
      reason: "cannot open /dev/ttyUSB0: no such port",
      kind: "connection",
    });
  });
});
