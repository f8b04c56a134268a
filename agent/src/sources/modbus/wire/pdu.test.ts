import { describe, expect, it } from "vitest";
import { writeRtuFrame } from "./frames.js";
import { FC, type PduRequest, parseResponsePdu, responsePduLength } from "./pdu.js";

const read2: PduRequest = { fc: FC.readInputRegisters, a: 0, b: 2 };

describe("PDUs", () => {
  it("writes 15 and 16 with their byte counts, and packs coils low bit first", () => {
    const buf = Buffer.alloc(32);
    let n = writeRtuFrame(buf, 1, { fc: FC.writeRegisters, a: 10, b: 2, values: [0x0102, 0x0304] });
    expect([...buf.subarray(1, n - 2)]).toEqual([16, 0, 10, 0, 2, 4, 1, 2, 3, 4]);
    n = writeRtuFrame(buf, 1, { fc: FC.writeCoils, a: 0, b: 10, values: [1, 0, 1, 0, 0, 0, 0, 0, 0, 1] });
    expect([...buf.subarray(1, n - 2)]).toEqual([15, 0, 0, 0, 10, 2, 0b101, 0b10]);
    n = writeRtuFrame(buf, 1, { fc: FC.writeCoil, a: 3, b: 1 });
    expect([...buf.subarray(1, n - 2)]).toEqual([5, 0, 3, 0xff, 0]);
  });

  it("reads bits as 0/1, exactly as many as asked", () => {
    const r: PduRequest = { fc: FC.readCoils, a: 0, b: 10 };
    const b = Buffer.from([1, 2, 0b1000_0101, 0b10]);
    expect(parseResponsePdu(r, b, 0, 4)).toEqual([1, 0, 1, 0, 0, 0, 0, 1, 0, 1]);
  });

  it("refuses an answer of another function, length or echoed address", () => {
    expect(() => parseResponsePdu(read2, Buffer.from([3, 4, 0, 0, 0, 0]), 0, 6)).toThrow(
      /Unexpected data error/,
    );
    expect(() => parseResponsePdu(read2, Buffer.from([4, 2, 0, 0]), 0, 4)).toThrow(/Data length error/);
    const w: PduRequest = { fc: FC.writeRegister, a: 5, b: 9 };
    expect(() => parseResponsePdu(w, Buffer.from([6, 0, 6, 0, 9]), 0, 5)).toThrow(/echoed address 6/);
    expect(parseResponsePdu(w, Buffer.from([6, 0, 5, 0, 9]), 0, 5)).toBeUndefined();
  });

  it("reads 43/14 objects, knows their length only once the headers are in, and where to go on", () => {
    const r: PduRequest = { fc: FC.deviceIdentification, a: 1, b: 0 };
    const b = Buffer.from([
      43,
      0x0e,
      1,
      1,
      0xff,
      2,
      2,
      0,
      4,
      ...Buffer.from("Acme"),
      1,
      2,
      ...Buffer.from("M1"),
    ]);
    expect(responsePduLength(r, b, 0, 8)).toBeUndefined();
    expect(responsePduLength(r, b, 0, b.length)).toBe(b.length);
    expect(parseResponsePdu(r, b, 0, b.length)).toEqual({ objects: { 0: "Acme", 1: "M1" }, nextObjectId: 2 });
  });
});
