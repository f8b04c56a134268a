import { describe, expect, it } from "vitest";
import { crc16 } from "./crc16.js";

describe("crc16", () => {
  it("matches the Modbus specification's example frames", () => {
    // Read 2 input registers from unit 1 at 0: 01 04 00 00 00 02, CRC 71 CB on the wire.
    expect(crc16(Uint8Array.from([1, 4, 0, 0, 0, 2]), 0, 6)).toBe(0xcb71);
    // Read holding register 0x006B x3 from unit 0x11 (Modbus over serial line guide): CRC 76 87.
    expect(crc16(Uint8Array.from([0x11, 3, 0, 0x6b, 0, 3]), 0, 6)).toBe(0x8776);
  });

  it("covers only the range asked for", () => {
    const buf = Uint8Array.from([9, 9, 1, 4, 0, 0, 0, 2, 9]);
    expect(crc16(buf, 2, 8)).toBe(0xcb71);
  });
});
