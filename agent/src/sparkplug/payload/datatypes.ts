import { DataType } from "./sparkplug_b_pb.js";

export { DataType };

/** Which member of a Metric's `value` oneof carries each datatype we map (Sparkplug 3.0, 6.4.16). */
export type ValueField =
  | "intValue"
  | "longValue"
  | "floatValue"
  | "doubleValue"
  | "booleanValue"
  | "stringValue";

interface IntRange {
  min: number;
  max: number;
  /** Two's complement into the unsigned wire field. */
  signed: boolean;
}

const INT32_FIELD: Partial<Record<DataType, IntRange>> = {
  [DataType.Int8]: { min: -128, max: 127, signed: true },
  [DataType.Int16]: { min: -32768, max: 32767, signed: true },
  [DataType.Int32]: { min: -(2 ** 31), max: 2 ** 31 - 1, signed: true },
  [DataType.UInt8]: { min: 0, max: 255, signed: false },
  [DataType.UInt16]: { min: 0, max: 65535, signed: false },
  [DataType.UInt32]: { min: 0, max: 2 ** 32 - 1, signed: false },
};

/** The scalar datatypes Tidegate reads and writes; the others (DataSet, Template, arrays, …) are refused. */
export const MAPPED_DATATYPES: readonly DataType[] = [
  DataType.Int8,
  DataType.Int16,
  DataType.Int32,
  DataType.Int64,
  DataType.UInt8,
  DataType.UInt16,
  DataType.UInt32,
  DataType.UInt64,
  DataType.Float,
  DataType.Double,
  DataType.Boolean,
  DataType.String,
  DataType.DateTime,
  DataType.Text,
  DataType.UUID,
];

export function isMapped(t: number): t is DataType {
  return (MAPPED_DATATYPES as readonly number[]).includes(t);
}

export function valueFieldOf(t: DataType): ValueField {
  if (INT32_FIELD[t]) return "intValue";
  switch (t) {
    case DataType.Int64:
    case DataType.UInt64:
    case DataType.DateTime:
      return "longValue";
    case DataType.Float:
      return "floatValue";
    case DataType.Double:
      return "doubleValue";
    case DataType.Boolean:
      return "booleanValue";
    default:
      return "stringValue";
  }
}

export function datatypeName(t: number): string {
  return DataType[t] ?? `datatype ${t}`;
}

/** The 32-bit wire word of an Int8…UInt32 value; throws when it does not fit. */
export function toInt32Field(t: DataType, v: number): number {
  const range = INT32_FIELD[t] as IntRange;
  if (!Number.isInteger(v) || v < range.min || v > range.max)
    throw new RangeError(`${v} does not fit ${datatypeName(t)} (${range.min}…${range.max})`);
  return v >>> 0;
}

/** The value an Int8…UInt32 wire word stands for. */
export function fromInt32Field(t: DataType, word: number): number {
  switch (t) {
    case DataType.Int8:
      return (word << 24) >> 24;
    case DataType.Int16:
      return (word << 16) >> 16;
    case DataType.Int32:
      return word | 0;
    default:
      return word >>> 0;
  }
}

/** Int64 goes two's complement into the unsigned long field; UInt64 and DateTime (ms) as they are. */
export function toLongField(t: DataType, v: number | bigint): bigint {
  const big = typeof v === "bigint" ? v : BigInt(Math.trunc(v));
  if (typeof v === "number" && !Number.isInteger(v))
    throw new RangeError(`${v} is not an integer, as ${datatypeName(t)} needs`);
  if (t === DataType.Int64) {
    if (big < -(2n ** 63n) || big >= 2n ** 63n) throw new RangeError(`${v} does not fit Int64`);
    return BigInt.asUintN(64, big);
  }
  if (big < 0n || big >= 2n ** 64n) throw new RangeError(`${v} does not fit ${datatypeName(t)}`);
  return big;
}

export function fromLongField(t: DataType, word: bigint): bigint {
  return t === DataType.Int64 ? BigInt.asIntN(64, word) : word;
}

export function isIntegerType(t: DataType): boolean {
  return valueFieldOf(t) === "intValue" || valueFieldOf(t) === "longValue";
}

export function isInt32FieldType(t: DataType): boolean {
  return INT32_FIELD[t] !== undefined;
}
