import { type PointSpec, type RegisterType, registerCount, type WordOrder } from "@tidegate/profiles";
import { TidegateError } from "@tidegate/protocol";

/**
 * Registers that cannot become a value: wrong word count, or a float the device marks as "not
 * available" (NaN / ±Infinity). The poller turns it into a quality=bad reading for that point only.
 */
export class DecodeError extends TidegateError {
  override name = "DecodeError";
  readonly code = "modbus.decode";
}

export type DecodedValue = number | boolean | string;

/** Beyond 15 places a scale or offset is not a decimal someone typed (e.g. 1/3): no noise to round to. */
const MAX_SCALE_DECIMALS = 15;

// One scratch for every decode: decoding is synchronous, so no two decodes ever share it, and a
// poll allocates no byte array and no DataView per point (issue 21: they were 6 % of allocations).
const scratch = new DataView(new ArrayBuffer(8));

/**
 * Decodes one point from the words exactly as the device returned them: uint16 registers, or a
 * single 0/1 for coil/discrete. Numeric types then become raw * scale + offset.
 */
export function decodePoint(point: PointSpec, words: readonly number[]): DecodedValue {
  return decodeWords(point, words, 0, words.length);
}

/**
 * decodePoint on `count` words of `data` from `offset` on (a point's place in a block's answer),
 * without copying them out first.
 */
export function decodeWords(
  point: PointSpec,
  data: readonly number[],
  offset: number,
  count: number,
): DecodedValue {
  const { table, type, order } = point.register;
  const bitTable = table === "coil" || table === "discrete";
  checkWords(point, data, offset, count, bitTable);
  if (bitTable) return data[offset] !== 0;
  if (type === "string") return decodeAscii(data, offset, count);
  loadBigEndian(data, offset, count, order);
  if (type === "bool") {
    // The bit number refers to the register after the profile's byte order is applied, so a
    // byte-swapping device (BADC/DCBA) keeps the bit numbers of its manual.
    return ((scratch.getUint16(0) >> (point.register.bit ?? 0)) & 1) === 1;
  }
  if (type === "float32" || type === "float64") {
    const raw = type === "float32" ? scratch.getFloat32(0) : scratch.getFloat64(0);
    // Meters send NaN (and some ±Infinity) for "not available"; passing it on would look like a value.
    if (!Number.isFinite(raw)) {
      throw new DecodeError(`point '${point.id}': ${type} is ${raw}, the device reports no value`);
    }
    return finite(point, scaleFloat(raw, point.scale, point.offset));
  }
  const raw = readInteger(scratch, type);
  if (raw === point.notImplemented) {
    throw new DecodeError(
      `point '${point.id}': 0x${toHex(raw, count)} is the device's "not implemented" value, no reading`,
    );
  }
  return finite(point, scaleInteger(raw, point.scale, point.offset));
}

function checkWords(
  point: PointSpec,
  data: readonly number[],
  offset: number,
  count: number,
  bitTable: boolean,
): void {
  const expected = registerCount(point.register);
  if (count !== expected) {
    const unit = bitTable ? "bit" : expected === 1 ? "register" : "registers";
    throw new DecodeError(
      `point '${point.id}' (${point.register.type} at ${point.register.table} ${point.register.address}): ` +
        `expected ${expected} ${unit}, got ${count}`,
    );
  }
  for (let i = offset; i < offset + count; i++) {
    const word = data[i] as number;
    if (!Number.isInteger(word) || word < 0 || word > 0xffff) {
      throw new DecodeError(`point '${point.id}': ${word} is not a 16-bit register value`);
    }
  }
}

/**
 * Undoes the device's layout into the scratch, the value's bytes most significant first. The
 * letters name the big-endian bytes: CDAB reverses the 16-bit words, BADC swaps the bytes inside
 * each word, DCBA reverses every byte. For one word that leaves two layouts (ABCD = CDAB, BADC =
 * DCBA), and for 64 bits CDAB means all four words reversed.
 */
function loadBigEndian(data: readonly number[], offset: number, count: number, order: WordOrder): void {
  const n = count * 2;
  for (let i = 0; i < n; i++) {
    const at = positionAsRead(i, n, order);
    const word = data[offset + (at >> 1)] as number;
    scratch.setUint8(i, at & 1 ? word & 0xff : (word >> 8) & 0xff);
  }
}

/** Where big-endian byte i of an n-byte value sits in the device's layout (encode.ts writes with it too). */
export function positionAsRead(i: number, n: number, order: WordOrder): number {
  switch (order) {
    case "ABCD":
      return i;
    case "DCBA":
      return n - 1 - i;
    case "BADC":
      return i ^ 1;
    case "CDAB":
      return n - 2 - (i & ~1) + (i & 1); // same byte within the mirrored word
  }
}

/** A raw integer as the device sent it, in hex: -32768 in one register is 8000. */
function toHex(raw: number, words: number): string {
  return BigInt.asUintN(words * 16, BigInt(raw))
    .toString(16)
    .toUpperCase()
    .padStart(words * 4, "0");
}

function readInteger(
  view: DataView,
  type: Exclude<RegisterType, "float32" | "float64" | "bool" | "string">,
): number {
  switch (type) {
    case "int16":
      return view.getInt16(0);
    case "uint16":
      return view.getUint16(0);
    case "int32":
      return view.getInt32(0);
    case "uint32":
      return view.getUint32(0);
    // Readings carry JS numbers, so 64-bit counters are exact only up to 2^53 (about 9.007e15);
    // beyond that the nearest double is reported. Energy counters stay far below that in practice.
    case "int64":
      return Number(view.getBigInt64(0));
    case "uint64":
      return Number(view.getBigUint64(0));
  }
}

/**
 * An integer raw times a decimal scale is exact in decimal (250 * 0.1 is 25, 7 * 0.1 is 0.7), but
 * binary doubles add noise (7 * 0.1 = 0.7000000000000001), and so does a decimal offset
 * (-529 + 273.15 = -255.85000000000002). Rounding to the decimals the scale and offset are written
 * with removes exactly that noise and nothing else. With scale 1 and offset 0 there is no arithmetic
 * and nothing to clean, so the raw integer passes through untouched.
 */
function scaleInteger(raw: number, scale: number, offset: number): number {
  const value = raw * scale + offset;
  if (scale === 1 && offset === 0) return value;
  const scaleDecimals = decimalsOf(scale);
  const offsetDecimals = decimalsOf(offset);
  if (scaleDecimals === undefined || offsetDecimals === undefined) return value;
  return Number(value.toFixed(Math.max(scaleDecimals, offsetDecimals))) + 0; // + 0 turns -0 into 0
}

/**
 * A float raw has fractional digits of its own, so rounding to the scale's decimals would destroy
 * data. Fifteen significant digits still hold all of a float32 (about 7) and all but the last of a
 * float64, while dropping the last-bit noise of the multiplication (3 * 0.1 → 0.3).
 */
function scaleFloat(raw: number, scale: number, offset: number): number {
  if (scale === 1 && offset === 0) return raw;
  return Number((raw * scale + offset).toPrecision(15));
}

// A profile has a handful of scales and offsets; finding their decimals took up to 15 toFixed calls per reading.
const knownDecimals = new Map<number, number | undefined>();
function decimalsOf(x: number): number | undefined {
  if (knownDecimals.has(x)) return knownDecimals.get(x);
  const places = decimalPlaces(x);
  if (knownDecimals.size < 10_000) knownDecimals.set(x, places);
  return places;
}

/** Decimal places needed to write x exactly, or undefined when x has no short decimal form. */
function decimalPlaces(x: number): number | undefined {
  for (let places = 0; places <= MAX_SCALE_DECIMALS; places++) {
    if (Number(x.toFixed(places)) === x) return places;
  }
  return undefined;
}

function finite(point: PointSpec, value: number): number {
  if (!Number.isFinite(value)) {
    throw new DecodeError(
      `point '${point.id}': scaled value is ${value} (scale ${point.scale}, offset ${point.offset})`,
    );
  }
  return value;
}

/**
 * Two characters per register, high byte first, whatever the point's order: that is how devices
 * store text (model names, serial numbers). Bytes are read as Latin-1 so nothing is lost if a
 * device strays from ASCII; NUL and space padding at the end is dropped.
 */
function decodeAscii(data: readonly number[], offset: number, count: number): string {
  let text = "";
  for (let i = offset; i < offset + count; i++) {
    const word = data[i] as number;
    text += String.fromCharCode((word >> 8) & 0xff, word & 0xff);
  }
  let end = text.length;
  while (end > 0 && (text[end - 1] === "\u0000" || text[end - 1] === " ")) end--;
  return text.slice(0, end);
}
