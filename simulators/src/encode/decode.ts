import type { PointSpec } from "@tidegate/profiles";
import { wordsToBytes } from "./bytes.js";
import type { PointValue } from "./encode.js";

/**
 * Reads back words a Modbus client wrote into the simulator, so a write can pin the point's value.
 * Only the write path uses it; what the simulator serves is always produced by `encodePointValue`
 * and checked against hand-written words and the profiles' testdata, never against this function.
 */
export function decodePointWords(point: PointSpec, words: readonly number[]): PointValue {
  const { table, type, bit, order } = point.register;
  if (table === "coil" || table === "discrete") return (words[0] ?? 0) !== 0;
  if (type === "bool") {
    const [hi = 0, lo = 0] = wordsToBytes(words.slice(0, 1), order);
    return ((((hi << 8) | lo) >> (bit ?? 0)) & 1) === 1;
  }
  if (type === "string") {
    const bytes = wordsToBytes(words, "ABCD");
    let end = bytes.length;
    while (end > 0 && bytes[end - 1] === 0) end--;
    return String.fromCharCode(...bytes.subarray(0, end));
  }
  const view = new DataView(wordsToBytes(words, order).buffer);
  let raw: number;
  switch (type) {
    case "int16":
      raw = view.getInt16(0);
      break;
    case "uint16":
      raw = view.getUint16(0);
      break;
    case "int32":
      raw = view.getInt32(0);
      break;
    case "uint32":
      raw = view.getUint32(0);
      break;
    case "int64":
      raw = Number(view.getBigInt64(0));
      break;
    case "uint64":
      raw = Number(view.getBigUint64(0));
      break;
    case "float32":
      raw = view.getFloat32(0);
      break;
    case "float64":
      raw = view.getFloat64(0);
      break;
  }
  return raw * point.scale + point.offset;
}
