import { CorruptFrameError, ModbusExceptionError } from "./errors.js";

// Request and response PDUs (function code and data, without unit id, MBAP header or CRC) for the
// function codes the agent uses: 1–4 reads, 5/6 single writes, 15/16 multiple writes, 43/14 device
// identification. Requests are written into the caller's buffer, so a client reuses one per line.

export const FC = {
  readCoils: 1,
  readDiscreteInputs: 2,
  readHoldingRegisters: 3,
  readInputRegisters: 4,
  writeCoil: 5,
  writeRegister: 6,
  writeCoils: 15,
  writeRegisters: 16,
  deviceIdentification: 43,
} as const;

const MEI_DEVICE_ID = 0x0e;
/** The largest PDU Modbus allows (256-byte RTU frame less unit id and CRC). */
export const MAX_PDU = 253;

/**
 * What one request asks; `a` and `b` are the function's two 16-bit fields: address and quantity
 * (1–4), address and value (5, 6), address with `values` (15, 16), read-device-id code and object
 * id (43/14).
 */
export interface PduRequest {
  fc: number;
  a: number;
  b: number;
  values?: readonly number[] | undefined;
}

/** Writes the request's PDU at `at`; returns where it ends. */
export function writeRequestPdu(buf: Buffer, at: number, r: PduRequest): number {
  buf[at] = r.fc;
  if (r.fc === FC.deviceIdentification) {
    buf[at + 1] = MEI_DEVICE_ID;
    buf[at + 2] = r.a;
    buf[at + 3] = r.b;
    return at + 4;
  }
  buf.writeUInt16BE(r.a, at + 1);
  if (r.fc === FC.writeCoil) {
    buf.writeUInt16BE(r.b ? 0xff00 : 0, at + 3);
    return at + 5;
  }
  if (r.fc !== FC.writeCoils && r.fc !== FC.writeRegisters) {
    buf.writeUInt16BE(r.b, at + 3);
    return at + 5;
  }
  const values = r.values ?? [];
  buf.writeUInt16BE(values.length, at + 3);
  if (r.fc === FC.writeRegisters) {
    buf[at + 5] = values.length * 2;
    for (let i = 0; i < values.length; i++) buf.writeUInt16BE(values[i] as number, at + 6 + i * 2);
    return at + 6 + values.length * 2;
  }
  const bytes = Math.ceil(values.length / 8);
  buf[at + 5] = bytes;
  buf.fill(0, at + 6, at + 6 + bytes);
  for (let i = 0; i < values.length; i++)
    if (values[i]) buf[at + 6 + (i >> 3)] = (buf[at + 6 + (i >> 3)] as number) | (1 << (i & 7));
  return at + 6 + bytes;
}

/**
 * How long the response PDU to `r` is, read from its first bytes `buf[p, end)`: a fixed length
 * for most functions, found from the object headers for 43/14; undefined while too few bytes
 * have come to tell.
 */
export function responsePduLength(
  r: PduRequest,
  buf: Uint8Array,
  p: number,
  end: number,
): number | undefined {
  if (end - p < 1) return undefined;
  if (buf[p] === (r.fc | 0x80)) return 2;
  switch (r.fc) {
    case FC.readCoils:
    case FC.readDiscreteInputs:
      return 2 + Math.ceil(r.b / 8);
    case FC.readHoldingRegisters:
    case FC.readInputRegisters:
      return 2 + 2 * r.b;
    case FC.deviceIdentification: {
      // fc, MEI type, code, conformity, more follows, next id, object count, then objects of
      // id, length and bytes each.
      if (end - p < 7) return undefined;
      let at = p + 7;
      for (let n = buf[p + 6] as number; n > 0; n--) {
        if (end - at < 2) return undefined;
        at += 2 + (buf[at + 1] as number);
      }
      return at - p;
    }
    default:
      return 5;
  }
}

/** A 43/14 answer: the objects in it, and where to go on when the device has more. */
export interface DeviceIdPart {
  objects: Record<number, string>;
  nextObjectId: number | undefined;
}

/**
 * Reads the response PDU `buf[p, end)` to `r`: the registers or bits (0/1) of a read, nothing for
 * a write the device echoed, the objects of a 43/14. Throws the device's exception, or
 * CorruptFrameError for anything that does not answer `r`.
 */
export function parseResponsePdu(
  r: PduRequest,
  buf: Buffer,
  p: number,
  end: number,
): number[] | DeviceIdPart | undefined {
  const fc = buf[p] as number;
  if (fc === (r.fc | 0x80) && end - p === 2) throw new ModbusExceptionError(buf[p + 1] as number);
  if (fc !== r.fc) throw new CorruptFrameError(`Unexpected data error, expected code ${r.fc} got ${fc}`);
  const expected = responsePduLength(r, buf, p, end);
  if (expected !== end - p)
    throw new CorruptFrameError(`Data length error, expected ${expected ?? "more"} got ${end - p} bytes`);
  switch (fc) {
    case FC.readCoils:
    case FC.readDiscreteInputs: {
      if (buf[p + 1] !== end - p - 2)
        throw new CorruptFrameError(`Data length error, byte count ${buf[p + 1]}`);
      const bits = new Array<number>(r.b);
      for (let i = 0; i < r.b; i++) bits[i] = ((buf[p + 2 + (i >> 3)] as number) >> (i & 7)) & 1;
      return bits;
    }
    case FC.readHoldingRegisters:
    case FC.readInputRegisters: {
      if (buf[p + 1] !== 2 * r.b) throw new CorruptFrameError(`Data length error, byte count ${buf[p + 1]}`);
      const words = new Array<number>(r.b);
      for (let i = 0; i < r.b; i++)
        words[i] = ((buf[p + 2 + 2 * i] as number) << 8) | (buf[p + 3 + 2 * i] as number);
      return words;
    }
    case FC.deviceIdentification: {
      if (buf[p + 1] !== MEI_DEVICE_ID)
        throw new CorruptFrameError(`Unexpected data error, MEI type ${buf[p + 1]}`);
      const objects: Record<number, string> = {};
      let at = p + 7;
      for (let n = buf[p + 6] as number; n > 0; n--) {
        const len = buf[at + 1] as number;
        objects[buf[at] as number] = buf.toString("latin1", at + 2, at + 2 + len);
        at += 2 + len;
      }
      // Some devices say "more follows" with no objects: going on would ask the same part forever.
      const more = buf[p + 4] === 0xff && (buf[p + 6] as number) > 0;
      return { objects, nextObjectId: more ? (buf[p + 5] as number) : undefined };
    }
    default: {
      // Writes echo the address (and the value or quantity); an echo of another address is no answer.
      const address = buf.readUInt16BE(p + 1);
      if (address !== r.a) throw new CorruptFrameError(`Unexpected data error, echoed address ${address}`);
      return undefined;
    }
  }
}
