import { describe, expect, it } from "vitest";
import { crc16 } from "./crc16.js";
import { type FrameSpan, findRtuAnswer, findTcpAnswer, writeRtuFrame, writeTcpFrame } from "./frames.js";
import { FC, type PduRequest, parseResponsePdu } from "./pdu.js";

const span = (): FrameSpan => ({ unit: 0, pdu: 0, end: 0, consumed: 0 });
const withCrc = (bytes: number[]) => {
  const b = Buffer.from([...bytes, 0, 0]);
  b.writeUInt16LE(crc16(b, 0, bytes.length), bytes.length);
  return b;
};
const read2: PduRequest = { fc: FC.readInputRegisters, a: 0, b: 2 };
// Unit 1 answers two input registers: 0x4365 0x8000.
const answer = withCrc([1, 4, 4, 0x43, 0x65, 0x80, 0x00]);

describe("RTU frames", () => {
  it("writes a request with its CRC, low byte first", () => {
    const buf = Buffer.alloc(16);
    const n = writeRtuFrame(buf, 1, read2);
    expect([...buf.subarray(0, n)]).toEqual([1, 4, 0, 0, 0, 2, 0x71, 0xcb]);
  });

  it("waits for a partial frame, then finds it whole", () => {
    const out = span();
    expect(findRtuAnswer(answer, 5, 1, read2, out)).toBe("wait");
    expect(findRtuAnswer(answer, answer.length, 1, read2, out)).toBe("frame");
    expect(parseResponsePdu(read2, answer, out.pdu, out.end)).toEqual([0x4365, 0x8000]);
    expect(out.consumed).toBe(answer.length);
  });

  it("finds the answer behind noise, and behind a frame-shaped burst with a bad CRC", () => {
    const noisy = Buffer.concat([
      Buffer.from([0x00, 0xff, 0x01, 0x04, 0x04, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc]),
      answer,
    ]);
    const out = span();
    expect(findRtuAnswer(noisy, noisy.length, 1, read2, out)).toBe("frame");
    expect(parseResponsePdu(read2, noisy, out.pdu, out.end)).toEqual([0x4365, 0x8000]);
  });

  it("says corrupt for a whole frame with a bad CRC, and ignores another unit's answer", () => {
    const bad = Buffer.from(answer);
    bad[4] = (bad[4] as number) ^ 0x01;
    expect(findRtuAnswer(bad, bad.length, 1, read2, span())).toBe("corrupt");
    expect(findRtuAnswer(answer, answer.length, 2, read2, span())).toBe("wait");
  });

  it("takes an exception response (5 bytes) as the answer", () => {
    const ex = withCrc([1, 0x84, 2]);
    const out = span();
    expect(findRtuAnswer(ex, ex.length, 1, read2, out)).toBe("frame");
    expect(() => parseResponsePdu(read2, ex, out.pdu, out.end)).toThrow(
      expect.objectContaining({ name: "ModbusExceptionError", modbusCode: 2 }),
    );
  });
});

describe("TCP frames", () => {
  const pdu = [4, 4, 0x43, 0x65, 0x80, 0x00];
  const adu = (tid: number, unit = 1) =>
    Buffer.from([tid >> 8, tid & 0xff, 0, 0, 0, pdu.length + 1, unit, ...pdu]);

  it("writes the MBAP header with the transaction id and the length after it", () => {
    const buf = Buffer.alloc(16);
    const n = writeTcpFrame(buf, 0x1234, 7, read2);
    expect([...buf.subarray(0, n)]).toEqual([0x12, 0x34, 0, 0, 0, 6, 7, 4, 0, 0, 0, 2]);
  });

  it("skips a late answer to an earlier transaction and finds this one's", () => {
    const stream = Buffer.concat([adu(6), adu(7)]);
    const out = span();
    expect(findTcpAnswer(stream, stream.length, 7, out)).toBe("frame");
    expect(out.consumed).toBe(stream.length);
    expect(parseResponsePdu(read2, stream, out.pdu, out.end)).toEqual([0x4365, 0x8000]);
  });

  it("waits for a partial answer and reports what it skipped meanwhile", () => {
    const stream = Buffer.concat([adu(6), adu(7)]);
    const out = span();
    expect(findTcpAnswer(stream, stream.length - 2, 7, out)).toBe("wait");
    expect(out.consumed).toBe(adu(6).length);
  });

  it("calls a header with an impossible length or protocol a desync", () => {
    expect(findTcpAnswer(Buffer.from([0, 1, 0, 0, 0x10, 0, 1, 4]), 8, 1, span())).toBe("desync");
    expect(findTcpAnswer(Buffer.from([0, 1, 0, 9, 0, 3, 1, 4, 0]), 9, 1, span())).toBe("desync");
  });
});
