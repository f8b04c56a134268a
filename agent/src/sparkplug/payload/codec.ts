import { create, fromBinary, isFieldSet, toBinary } from "@bufbuild/protobuf";
import { TidegateError } from "@tidegate/protocol";
import {
  DataType,
  datatypeName,
  fromInt32Field,
  fromLongField,
  isInt32FieldType,
  isMapped,
  toInt32Field,
  toLongField,
  valueFieldOf,
} from "./datatypes.js";
import {
  type Payload_Metric,
  Payload_MetricSchema,
  type Payload_PropertySet,
  type Payload_PropertyValue,
  Payload_PropertyValueSchema,
  PayloadSchema,
} from "./sparkplug_b_pb.js";

/**
 * Sparkplug B payloads as plain data, over the code protoc-gen-es generated from the spec's
 * sparkplug_b.proto (EPL-2.0, kept verbatim beside it). Only scalar datatypes are mapped (see
 * datatypes.ts); a payload with anything else, or a value that does not match its datatype, is
 * refused with a reason, so a source can count it and drop it.
 */

/** A 64-bit value stays a bigint only when a number would lose digits. */
export type MetricValue = number | bigint | boolean | string | null;
export type PropertyValue = string | number | boolean;

export interface SparkplugMetric {
  name?: string;
  alias?: number;
  /** ms since epoch */
  timestamp?: number;
  /** Required in BIRTH; DATA may leave it to the alias. */
  datatype?: DataType;
  /** Encoding only: false picks the value field by `datatype` but leaves it off the wire (DATA). */
  datatypeOnWire?: boolean;
  value: MetricValue;
  isHistorical?: boolean;
  isTransient?: boolean;
  /** Typed on the wire: strings as String, booleans as Boolean, integers as Int64, others as Double. */
  properties?: Record<string, PropertyValue>;
}

export interface SparkplugPayload {
  timestamp?: number;
  /** 0–255; absent only in NDEATH. */
  seq?: number;
  metrics: SparkplugMetric[];
}

export class SparkplugPayloadError extends TidegateError {
  readonly code = "sparkplug.malformed";
  constructor(
    message: string,
    /** A short stable reason, for drop counters. */
    readonly reason: string,
  ) {
    super(message);
  }
}

function encodeProperties(props: Record<string, PropertyValue>): Payload_PropertySet {
  const keys = Object.keys(props);
  return {
    $typeName: "org.eclipse.tahu.protobuf.Payload.PropertySet",
    keys,
    values: keys.map((k) => {
      const v = props[k] as PropertyValue;
      if (typeof v === "string")
        return create(Payload_PropertyValueSchema, {
          type: DataType.String,
          value: { case: "stringValue", value: v },
        });
      if (typeof v === "boolean")
        return create(Payload_PropertyValueSchema, {
          type: DataType.Boolean,
          value: { case: "booleanValue", value: v },
        });
      if (Number.isSafeInteger(v))
        return create(Payload_PropertyValueSchema, {
          type: DataType.Int64,
          value: { case: "longValue", value: BigInt.asUintN(64, BigInt(v)) },
        });
      return create(Payload_PropertyValueSchema, {
        type: DataType.Double,
        value: { case: "doubleValue", value: v },
      });
    }),
  };
}

function encodeValue(m: SparkplugMetric, where: string): Payload_Metric["value"] {
  if (m.value === null) return { case: undefined };
  const t = m.datatype;
  if (t === undefined) throw new SparkplugPayloadError(`${where}: a value needs a datatype`, "no-datatype");
  if (!isMapped(t))
    throw new SparkplugPayloadError(`${where}: ${datatypeName(t)} is not supported`, "unsupported-datatype");
  const field = valueFieldOf(t);
  const v = m.value;
  try {
    switch (field) {
      case "intValue":
        if (typeof v !== "number") break;
        return { case: field, value: toInt32Field(t, v) };
      case "longValue":
        if (typeof v !== "number" && typeof v !== "bigint") break;
        return { case: field, value: toLongField(t, v) };
      case "floatValue":
      case "doubleValue":
        if (typeof v !== "number") break;
        return { case: field, value: v };
      case "booleanValue":
        if (typeof v !== "boolean") break;
        return { case: field, value: v };
      case "stringValue":
        if (typeof v !== "string") break;
        return { case: field, value: v };
    }
  } catch (err) {
    throw new SparkplugPayloadError(`${where}: ${(err as Error).message}`, "value-out-of-range");
  }
  throw new SparkplugPayloadError(
    `${where}: a ${typeof v} cannot be sent as ${datatypeName(t)}`,
    "value-mismatch",
  );
}

export function encodePayload(p: SparkplugPayload): Uint8Array {
  const msg = create(PayloadSchema, {
    metrics: p.metrics.map((m, i) => {
      const where = `metric ${i}${m.name ? ` (${m.name})` : ""}`;
      const metric = create(Payload_MetricSchema, { value: encodeValue(m, where) });
      if (m.name !== undefined) metric.name = m.name;
      if (m.alias !== undefined) metric.alias = BigInt(m.alias);
      if (m.timestamp !== undefined) metric.timestamp = BigInt(m.timestamp);
      if (m.datatype !== undefined && m.datatypeOnWire !== false) metric.datatype = m.datatype;
      if (m.isHistorical) metric.isHistorical = true;
      if (m.isTransient) metric.isTransient = true;
      if (m.value === null) metric.isNull = true;
      if (m.properties && Object.keys(m.properties).length > 0)
        metric.properties = encodeProperties(m.properties);
      return metric;
    }),
  });
  if (p.timestamp !== undefined) msg.timestamp = BigInt(p.timestamp);
  if (p.seq !== undefined) msg.seq = BigInt(p.seq);
  return toBinary(PayloadSchema, msg);
}

function smallest(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
}

function decodeProperty(v: Payload_PropertyValue): PropertyValue | undefined {
  switch (v.value.case) {
    case "stringValue":
    case "booleanValue":
    case "floatValue":
    case "doubleValue":
      return v.value.value;
    case "intValue":
      return isInt32FieldType(v.type) ? fromInt32Field(v.type, v.value.value) : v.value.value;
    case "longValue": {
      const n = smallest(v.type === DataType.Int64 ? BigInt.asIntN(64, v.value.value) : v.value.value);
      return typeof n === "bigint" ? n.toString() : n;
    }
    default:
      // Nested property sets are not something Tidegate reads; the metric still is.
      return undefined;
  }
}

function decodeValue(m: Payload_Metric, datatype: DataType | undefined, where: string): MetricValue {
  if (m.isNull || m.value.case === undefined) return null;
  const { value } = m;
  if (datatype === undefined) {
    // DATA without a datatype: the alias's BIRTH knows it; hand the raw field up.
    if (value.case === "longValue") return smallest(value.value);
    if (value.case === "bytesValue" || typeof value.value === "object")
      throw new SparkplugPayloadError(`${where}: ${value.case} is not supported`, "unsupported-datatype");
    return value.value;
  }
  if (!isMapped(datatype))
    throw new SparkplugPayloadError(
      `${where}: ${datatypeName(datatype)} is not supported`,
      "unsupported-datatype",
    );
  const expected = valueFieldOf(datatype);
  if (value.case !== expected)
    throw new SparkplugPayloadError(
      `${where}: ${datatypeName(datatype)} carried in ${value.case}, expected ${expected}`,
      "value-mismatch",
    );
  if (value.case === "intValue") return fromInt32Field(datatype, value.value);
  if (value.case === "longValue") return smallest(fromLongField(datatype, value.value));
  return value.value;
}

/** The raw field of a DATA metric that left its datatype to the BIRTH, read as that datatype. */
export function asDatatype(value: MetricValue, datatype: DataType): MetricValue {
  if (value === null) return null;
  if (isInt32FieldType(datatype) && typeof value === "number") return fromInt32Field(datatype, value);
  if (valueFieldOf(datatype) === "longValue" && (typeof value === "number" || typeof value === "bigint"))
    return smallest(fromLongField(datatype, BigInt(value)));
  return value;
}

export function decodePayload(bytes: Uint8Array): SparkplugPayload {
  let msg: ReturnType<typeof fromBinary<typeof PayloadSchema>>;
  try {
    msg = fromBinary(PayloadSchema, bytes);
  } catch (err) {
    throw new SparkplugPayloadError(`not a Sparkplug B payload: ${(err as Error).message}`, "not-protobuf");
  }
  const out: SparkplugPayload = { metrics: [] };
  if (isFieldSet(msg, PayloadSchema.field.timestamp)) out.timestamp = Number(msg.timestamp);
  if (isFieldSet(msg, PayloadSchema.field.seq)) {
    if (msg.seq > 255n) throw new SparkplugPayloadError(`seq ${msg.seq} is over 255`, "bad-seq");
    out.seq = Number(msg.seq);
  }
  const f = Payload_MetricSchema.field;
  msg.metrics.forEach((m, i) => {
    const where = `metric ${i}${m.name ? ` (${m.name})` : ""}`;
    const metric: SparkplugMetric = { value: null };
    if (isFieldSet(m, f.name)) metric.name = m.name;
    if (isFieldSet(m, f.alias)) metric.alias = Number(m.alias);
    if (metric.name === undefined && metric.alias === undefined)
      throw new SparkplugPayloadError(`${where}: neither name nor alias`, "no-name-or-alias");
    if (isFieldSet(m, f.timestamp)) metric.timestamp = Number(m.timestamp);
    if (isFieldSet(m, f.datatype)) metric.datatype = m.datatype;
    if (m.isHistorical) metric.isHistorical = true;
    if (m.isTransient) metric.isTransient = true;
    metric.value = decodeValue(m, metric.datatype, where);
    if (m.properties) {
      const props: Record<string, PropertyValue> = {};
      m.properties.keys.forEach((k, j) => {
        const v = m.properties?.values[j];
        const pv = v ? decodeProperty(v) : undefined;
        if (pv !== undefined) props[k] = pv;
      });
      if (Object.keys(props).length > 0) metric.properties = props;
    }
    out.metrics.push(metric);
  });
  return out;
}
