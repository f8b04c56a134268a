import { type PointSpec, type RegisterType, registerCount } from "@tidegate/profiles";
import { bytesToWords } from "./bytes.js";

/** A point's engineering value: a number, a bool (bits) or a string. */
export type PointValue = number | boolean | string;

type IntType = Exclude<RegisterType, "float32" | "float64" | "bool" | "string">;

const intLayout: Record<IntType, { bytes: number; signed: boolean }> = {
  int16: { bytes: 2, signed: true },
  uint16: { bytes: 2, signed: false },
  int32: { bytes: 4, signed: true },
  uint32: { bytes: 4, signed: false },
  int64: { bytes: 8, signed: true },
  uint64: { bytes: 8, signed: false },
};

export function isIntType(type: RegisterType): type is IntType {
  return type in intLayout;
}

/** Smallest and largest raw value an integer type holds. */
export function intRange(type: IntType): [bigint, bigint] {
  const { bytes, signed } = intLayout[type];
  const bits = BigInt(bytes * 8);
  return signed ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n] : [0n, (1n << bits) - 1n];
}

function isBitPoint(point: PointSpec): boolean {
  return point.register.type === "bool";
}

export function toNumber(point: PointSpec, value: PointValue): number {
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  const n = Number(value.trim());
  if (value.trim() === "" || (Number.isNaN(n) && value.trim() !== "NaN")) {
    throw new TypeError(`point '${point.id}' is ${point.register.type}: "${value}" is not a number`);
  }
  return n;
}

export function toBool(point: PointSpec, value: PointValue): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  const s = value.trim().toLowerCase();
  if (["true", "1", "on"].includes(s)) return true;
  if (["false", "0", "off", ""].includes(s)) return false;
  throw new TypeError(`point '${point.id}' is bool: "${value}" is not a boolean`);
}

/** Devices hold 7-bit ASCII; anything else becomes '?' rather than a multi-byte sequence that would shift the rest. */
function asciiBytes(point: PointSpec, value: PointValue): Uint8Array {
  const text = String(value);
  const out = new Uint8Array(registerCount(point.register) * 2);
  for (let i = 0; i < out.length && i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[i] = c < 0x80 ? c : 0x3f;
  }
  return out;
}

/** Raw integer for the registers: round((value - offset) / scale), clamped to the type, NaN as 0. */
function rawInt(point: PointSpec, type: IntType, value: PointValue): bigint {
  const x = (toNumber(point, value) - point.offset) / point.scale;
  const [lo, hi] = intRange(type);
  if (Number.isNaN(x)) return 0n;
  if (x === Number.POSITIVE_INFINITY) return hi;
  if (x === Number.NEGATIVE_INFINITY) return lo;
  const raw = BigInt(Math.round(x));
  return raw < lo ? lo : raw > hi ? hi : raw;
}

function rawFloat(point: PointSpec, value: PointValue): number {
  return (toNumber(point, value) - point.offset) / point.scale;
}

/** The point's raw value as big-endian bytes, before the device's word/byte order is applied. */
function bigEndianBytes(point: PointSpec, value: PointValue): Uint8Array {
  const type = point.register.type;
  if (isIntType(type)) {
    const { bytes } = intLayout[type];
    let raw = rawInt(point, type, value);
    // Two's complement by hand, so the same path serves 16, 32 and 64 bits.
    if (raw < 0n) raw += 1n << BigInt(bytes * 8);
    const out = new Uint8Array(bytes);
    for (let i = bytes - 1; i >= 0; i--) {
      out[i] = Number(raw & 0xffn);
      raw >>= 8n;
    }
    return out;
  }
  if (type === "float32" || type === "float64") {
    const size = type === "float32" ? 4 : 8;
    const view = new DataView(new ArrayBuffer(size));
    if (size === 4) view.setFloat32(0, rawFloat(point, value), false);
    else view.setFloat64(0, rawFloat(point, value), false);
    return new Uint8Array(view.buffer);
  }
  throw new TypeError(`no byte layout for type ${type}`);
}

/**
 * Register words (uint16 each) a device holds for `value`; for coil/discrete a single 0 or 1.
 *
 * Strings ignore `order`: 2 ASCII chars per register, high byte first, zero-padded. A bool in a
 * register sets `bit` of the register's value and then lays its two bytes out in `order`, so a
 * byte-swapping device (BADC/DCBA) keeps the bit numbers of its manual.
 */
export function encodePointValue(point: PointSpec, value: PointValue): number[] {
  const { table, type, bit, order } = point.register;
  if (table === "coil" || table === "discrete") return [toBool(point, value) ? 1 : 0];
  if (type === "bool") {
    const word = toBool(point, value) ? 1 << (bit ?? 0) : 0;
    return bytesToWords(Uint8Array.of(word >> 8, word & 0xff), order);
  }
  if (type === "string") return bytesToWords(asciiBytes(point, value), "ABCD");
  return bytesToWords(bigEndianBytes(point, value), order);
}

/**
 * The exact value the encoded registers represent: what a correct decoder computing
 * raw * scale + offset (the schema's definition) must read back.
 */
export function quantize(point: PointSpec, value: PointValue): PointValue {
  const type = point.register.type;
  if (isBitPoint(point)) return toBool(point, value);
  if (type === "string") {
    const bytes = asciiBytes(point, value);
    let end = bytes.length;
    while (end > 0 && bytes[end - 1] === 0) end--;
    return String.fromCharCode(...bytes.subarray(0, end));
  }
  if (isIntType(type)) return Number(rawInt(point, type, value)) * point.scale + point.offset;
  const raw = rawFloat(point, value);
  return (type === "float32" ? Math.fround(raw) : raw) * point.scale + point.offset;
}
