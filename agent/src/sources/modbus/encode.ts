import { type PointSpec, registerCount, type WordOrder } from "@tidegate/profiles";
import { TidegateError } from "@tidegate/protocol";
import { type DecodedValue, positionAsRead } from "./decode.js";

/** A value that cannot be written to a point: wrong type, outside min/max, not representable. */
export class EncodeError extends TidegateError {
  override name = "EncodeError";
  readonly code = "modbus.encode";
}

const INTEGER_RANGE = {
  int16: [-(2n ** 15n), 2n ** 15n - 1n],
  uint16: [0n, 2n ** 16n - 1n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
} as const;
type IntegerType = keyof typeof INTEGER_RANGE;

/**
 * The words (or single 0/1 bit, for a coil) that make a device hold `value` for this point: the
 * inverse of decodePoint, with the same scale/offset and byte/word order, so a write lands where a
 * read finds it. `value` is in the point's unit. A bool inside a register changes only its bit of
 * `current` (the register as read now), which the caller reads first.
 */
export function encodePoint(point: PointSpec, value: DecodedValue, current?: readonly number[]): number[] {
  const { table, type, order } = point.register;
  const where = `point '${point.id}' (${type})`;
  if (table === "coil" || table === "discrete") return [expectBool(where, value) ? 1 : 0];
  if (type === "bool") {
    const on = expectBool(where, value);
    const word = current?.[0];
    if (word === undefined)
      throw new EncodeError(`${where}: needs the register's current value to set one bit`);
    // The bit number counts in the register after the profile's byte order is applied (as decode).
    const be = toBigEndianBytes([word], order);
    const mask = 1 << (point.register.bit ?? 0);
    const logical = (((be[0] ?? 0) << 8) | (be[1] ?? 0)) & 0xffff;
    const next = on ? logical | mask : logical & ~mask;
    return fromBigEndianBytes(Uint8Array.of((next >> 8) & 0xff, next & 0xff), order);
  }
  if (type === "string") throw new EncodeError(`${where}: writing text points is not supported`);
  if (typeof value !== "number" || !Number.isFinite(value))
    throw new EncodeError(`${where}: expected a number, got ${JSON.stringify(value)}`);
  if (point.min !== undefined && value < point.min)
    throw new EncodeError(`${where}: ${value} is below its minimum ${point.min}`);
  if (point.max !== undefined && value > point.max)
    throw new EncodeError(`${where}: ${value} is above its maximum ${point.max}`);

  const n = registerCount(point.register) * 2;
  const bytes = new Uint8Array(n);
  const view = new DataView(bytes.buffer);
  const raw = (value - point.offset) / point.scale;
  if (type === "float32" || type === "float64") {
    if (type === "float32") {
      view.setFloat32(0, raw);
      if (!Number.isFinite(view.getFloat32(0)))
        throw new EncodeError(`${where}: ${value} does not fit a float32`);
    } else view.setFloat64(0, raw);
    return fromBigEndianBytes(bytes, order);
  }
  const rounded = Math.round(raw);
  // Scale arithmetic leaves binary noise (25.3 / 0.1 = 252.99999999999997); more than that means
  // the value falls between two steps the device can hold.
  if (Math.abs(raw - rounded) > 1e-9 * Math.max(1, Math.abs(raw)))
    throw new EncodeError(
      `${where}: ${value} is not a whole step of ${point.scale}${point.offset ? ` from ${point.offset}` : ""}; the device holds whole steps only`,
    );
  const big = BigInt(rounded);
  const [lo, hi] = INTEGER_RANGE[type as IntegerType];
  if (big < lo || big > hi)
    throw new EncodeError(`${where}: raw value ${rounded} is outside the ${type} range ${lo}..${hi}`);
  writeInteger(view, type as IntegerType, big);
  return fromBigEndianBytes(bytes, order);
}

function expectBool(where: string, value: DecodedValue): boolean {
  if (typeof value !== "boolean")
    throw new EncodeError(`${where}: expected true or false, got ${JSON.stringify(value)}`);
  return value;
}

function writeInteger(view: DataView, type: IntegerType, v: bigint): void {
  if (type === "int64") view.setBigInt64(0, v);
  else if (type === "uint64") view.setBigUint64(0, v);
  else if (type === "int16") view.setInt16(0, Number(v));
  else if (type === "uint16") view.setUint16(0, Number(v));
  else if (type === "int32") view.setInt32(0, Number(v));
  else view.setUint32(0, Number(v));
}

function toBigEndianBytes(words: readonly number[], order: WordOrder): Uint8Array {
  const n = words.length * 2;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const at = positionAsRead(i, n, order);
    const word = words[at >> 1] ?? 0;
    out[i] = at & 1 ? word & 0xff : (word >> 8) & 0xff;
  }
  return out;
}

/** Big-endian bytes laid out as the device keeps them, as 16-bit words. */
function fromBigEndianBytes(be: Uint8Array, order: WordOrder): number[] {
  const n = be.length;
  const asDevice = new Uint8Array(n);
  for (let i = 0; i < n; i++) asDevice[positionAsRead(i, n, order)] = be[i] ?? 0;
  return Array.from({ length: n / 2 }, (_, w) => ((asDevice[2 * w] ?? 0) << 8) | (asDevice[2 * w + 1] ?? 0));
}
