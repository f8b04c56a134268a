import { crc16 } from "./crc16.js";
import { type PduRequest, responsePduLength, writeRequestPdu } from "./pdu.js";

// The two framings of a Modbus PDU: RTU (unit id, PDU, CRC; frames told apart by silence) and TCP
// (an MBAP header with a transaction id and a length; no CRC, TCP checks the bytes).

/** Where the answer's PDU lies in the receive buffer, and how many bytes it used up. */
export interface FrameSpan {
  unit: number;
  pdu: number;
  end: number;
  consumed: number;
}

/** Writes an RTU request frame at the start of `buf`; returns its length. */
export function writeRtuFrame(buf: Buffer, unit: number, r: PduRequest): number {
  buf[0] = unit;
  const end = writeRequestPdu(buf, 1, r);
  buf.writeUInt16LE(crc16(buf, 0, end), end);
  return end + 2;
}

/**
 * Looks for the answer to `r` from `unit` in `buf[0, len)`, past any noise before it: "frame"
 * with `out` filled, "wait" for more bytes, or "corrupt" when a frame of the right length came
 * with a bad CRC (the caller waits out the line's silence before calling it corrupt, in case the
 * real answer is still arriving behind noise that looked like a frame).
 */
export function findRtuAnswer(
  buf: Buffer,
  len: number,
  unit: number,
  r: PduRequest,
  out: FrameSpan,
): "frame" | "wait" | "corrupt" {
  let corrupt = false;
  for (let i = 0; i + 4 <= len; i++) {
    if (buf[i] !== unit) continue;
    const fc = buf[i + 1];
    if (fc !== r.fc && fc !== (r.fc | 0x80)) continue;
    const n = responsePduLength(r, buf, i + 1, len);
    if (n === undefined || i + 3 + n > len) continue;
    const end = i + 1 + n;
    if (buf.readUInt16LE(end) !== crc16(buf, i, end)) {
      corrupt = true;
      continue;
    }
    out.unit = unit;
    out.pdu = i + 1;
    out.end = end;
    out.consumed = end + 2;
    return "frame";
  }
  return corrupt ? "corrupt" : "wait";
}

const MBAP = 7; // transaction id, protocol id, length, unit id

/** Writes a TCP request (MBAP header and PDU) at the start of `buf`; returns its length. */
export function writeTcpFrame(buf: Buffer, transactionId: number, unit: number, r: PduRequest): number {
  const end = writeRequestPdu(buf, MBAP, r);
  buf.writeUInt16BE(transactionId, 0);
  buf.writeUInt16BE(0, 2);
  buf.writeUInt16BE(end - 6, 4);
  buf[6] = unit;
  return end;
}

/**
 * Looks for the answer with `transactionId` in `buf[0, len)`: "frame" with `out` filled (answers
 * to earlier, timed-out requests before it are skipped and counted in `consumed`), "wait", or
 * "desync" when a header's length is impossible: the stream is no Modbus TCP any more.
 */
export function findTcpAnswer(
  buf: Buffer,
  len: number,
  transactionId: number,
  out: FrameSpan,
): "frame" | "wait" | "desync" {
  let at = 0;
  while (len - at >= MBAP + 1) {
    const length = buf.readUInt16BE(at + 4);
    if (length < 2 || length > 254 || buf.readUInt16BE(at + 2) !== 0) return "desync";
    if (len - at < 6 + length) break;
    if (buf.readUInt16BE(at) === transactionId) {
      out.unit = buf[at + 6] as number;
      out.pdu = at + MBAP;
      out.end = at + 6 + length;
      out.consumed = out.end;
      return "frame";
    }
    at += 6 + length;
  }
  out.consumed = at;
  return "wait";
}
