import type { AnyProfile } from "@tidegate/profiles";
import type { ReadingValue } from "@tidegate/protocol";
import { DataType, toInt32Field, toLongField, valueFieldOf } from "../payload/datatypes.js";

type AnyPoint = AnyProfile["points"][number];

const REGISTER: Record<string, DataType> = {
  int16: DataType.Int16,
  uint16: DataType.UInt16,
  int32: DataType.Int32,
  uint32: DataType.UInt32,
  int64: DataType.Int64,
  uint64: DataType.UInt64,
  float32: DataType.Float,
  float64: DataType.Double,
  bool: DataType.Boolean,
  string: DataType.String,
};

const OPCUA: Record<string, DataType> = {
  number: DataType.Double,
  boolean: DataType.Boolean,
  string: DataType.String,
  datetime: DataType.DateTime,
};

/**
 * The Sparkplug datatype a point's readings have, from its profile: a Modbus register's own type
 * while the value is the raw one (a scaled or offset value is a fraction, so Double; Float stays
 * Float), an OPC UA point's value type. Undefined when the profile does not say (MQTT, serial
 * lines): the birth then takes it from the value.
 */
export function declaredDatatype(kind: AnyProfile["kind"], point: AnyPoint): DataType | undefined {
  if (kind === "modbus" && "register" in point) {
    const t = REGISTER[point.register.type];
    const raw = point.scale === 1 && point.offset === 0;
    if (t === undefined || raw || t === DataType.Boolean || t === DataType.String || t === DataType.Float)
      return t;
    return DataType.Double;
  }
  if (kind === "opcua" && "type" in point && typeof point.type === "string") return OPCUA[point.type];
  return undefined;
}

/** Whether a reading's value can go out as `datatype` (null, a bad reading's, always can). */
export function fitsDatatype(value: ReadingValue | null | undefined, datatype: DataType): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === "boolean") return datatype === DataType.Boolean;
  if (typeof value === "string") return datatype === DataType.String;
  const field = valueFieldOf(datatype);
  if (field === "floatValue" || field === "doubleValue") return true;
  try {
    if (field === "intValue") toInt32Field(datatype, value);
    else if (field === "longValue") toLongField(datatype, value);
    else return false;
    return true;
  } catch {
    return false;
  }
}
