import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { decodePayload, encodePayload, type SparkplugMetric, SparkplugPayloadError } from "./codec.js";
import { DataType } from "./datatypes.js";

// An independent implementation: protobufjs reading the spec's .proto by reflection, sharing no code
// with the generated @bufbuild module the codec uses.
const root = protobuf.loadSync(fileURLToPath(new URL("./sparkplug_b.proto", import.meta.url)));
const Payload = root.lookupType("org.eclipse.tahu.protobuf.Payload");
const asObject = (bytes: Uint8Array) =>
  Payload.toObject(Payload.decode(bytes), { longs: String, oneofs: true }) as {
    seq?: string;
    timestamp?: string;
    metrics: Record<string, unknown>[];
  };

/**
 * One value of every datatype we map, with the oneof field the spec puts it in and its wire word:
 * signed 8/16/32-bit values are sign-extended to 32 bits, as Eclipse Tahu writes them.
 */
const cases: { datatype: DataType; value: SparkplugMetric["value"]; field: string; wire: unknown }[] = [
  { datatype: DataType.Int8, value: -5, field: "intValue", wire: 4294967291 },
  { datatype: DataType.Int16, value: -300, field: "intValue", wire: 4294966996 },
  { datatype: DataType.Int32, value: -70000, field: "intValue", wire: 4294897296 },
  { datatype: DataType.Int64, value: -1, field: "longValue", wire: "18446744073709551615" },
  { datatype: DataType.UInt8, value: 200, field: "intValue", wire: 200 },
  { datatype: DataType.UInt16, value: 65000, field: "intValue", wire: 65000 },
  { datatype: DataType.UInt32, value: 4000000000, field: "intValue", wire: 4000000000 },
  { datatype: DataType.UInt64, value: 2n ** 63n + 5n, field: "longValue", wire: "9223372036854775813" },
  { datatype: DataType.Float, value: 1.5, field: "floatValue", wire: 1.5 },
  { datatype: DataType.Double, value: 230.17, field: "doubleValue", wire: 230.17 },
  { datatype: DataType.Boolean, value: true, field: "booleanValue", wire: true },
  { datatype: DataType.String, value: "running", field: "stringValue", wire: "running" },
  { datatype: DataType.DateTime, value: 1_764_000_000_123, field: "longValue", wire: "1764000000123" },
  { datatype: DataType.Text, value: "a longer text", field: "stringValue", wire: "a longer text" },
  { datatype: DataType.UUID, value: "3f1b…", field: "stringValue", wire: "3f1b…" },
];

describe("Sparkplug B payload codec", () => {
  it.each(cases)(
    "round-trips $datatype and puts it where the spec says",
    ({ datatype, value, field, wire }) => {
      const metric: SparkplugMetric = { name: "m", alias: 7, timestamp: 1000, datatype, value };
      const bytes = encodePayload({ timestamp: 2000, seq: 3, metrics: [metric] });
      expect(decodePayload(bytes)).toEqual({ timestamp: 2000, seq: 3, metrics: [metric] });
      const other = asObject(bytes);
      expect(other.seq).toBe("3");
      expect(other.metrics[0]).toMatchObject({
        name: "m",
        alias: "7",
        datatype,
        value: field,
        [field]: wire,
      });
    },
  );

  it("carries null as is_null with no value, historical flags and typed properties", () => {
    const metrics: SparkplugMetric[] = [
      { name: "p", alias: 1, datatype: DataType.Double, value: null },
      {
        name: "q",
        alias: 2,
        datatype: DataType.Double,
        value: 4.25,
        isHistorical: true,
        properties: { engUnit: "kWh", readOnly: true, decimals: 2, scale: 0.5 },
      },
    ];
    const bytes = encodePayload({ seq: 0, metrics });
    expect(decodePayload(bytes).metrics).toEqual(metrics);
    const other = asObject(bytes);
    expect(other.metrics[0]).toMatchObject({ isNull: true });
    expect(other.metrics[0]).not.toHaveProperty("value");
    expect(other.metrics[1]).toMatchObject({
      isHistorical: true,
      properties: {
        keys: ["engUnit", "readOnly", "decimals", "scale"],
        values: [
          { type: DataType.String, stringValue: "kWh" },
          { type: DataType.Boolean, booleanValue: true },
          { type: DataType.Int64, longValue: "2" },
          { type: DataType.Double, doubleValue: 0.5 },
        ],
      },
    });
  });

  it("reads what the independent implementation wrote, including DATA by alias alone", () => {
    const bytes = Payload.encode(
      Payload.fromObject({
        timestamp: 5,
        seq: 255,
        metrics: [
          { alias: 9, timestamp: 4, intValue: 17 },
          { name: "t", datatype: DataType.Int16, intValue: 0xffff },
        ],
      }),
    ).finish();
    expect(decodePayload(bytes)).toEqual({
      timestamp: 5,
      seq: 255,
      metrics: [
        { alias: 9, timestamp: 4, value: 17 },
        { name: "t", datatype: DataType.Int16, value: -1 },
      ],
    });
  });

  it("refuses what it cannot map, with a reason to count", () => {
    const reasonOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        expect(err).toBeInstanceOf(SparkplugPayloadError);
        return (err as SparkplugPayloadError).reason;
      }
      return "no error";
    };
    expect(reasonOf(() => decodePayload(Uint8Array.from([0xff, 0xff, 0xff])))).toBe("not-protobuf");
    const wrong = Payload.encode(
      Payload.fromObject({ seq: 1, metrics: [{ name: "x", datatype: DataType.Double, stringValue: "1" }] }),
    ).finish();
    expect(reasonOf(() => decodePayload(wrong))).toBe("value-mismatch");
    const nameless = Payload.encode(Payload.fromObject({ seq: 1, metrics: [{ doubleValue: 1 }] })).finish();
    expect(reasonOf(() => decodePayload(nameless))).toBe("no-name-or-alias");
    const dataset = Payload.encode(
      Payload.fromObject({ seq: 1, metrics: [{ name: "d", datatype: DataType.DataSet, datasetValue: {} }] }),
    ).finish();
    expect(reasonOf(() => decodePayload(dataset))).toBe("unsupported-datatype");
    const bigSeq = Payload.encode(Payload.fromObject({ seq: 256, metrics: [] })).finish();
    expect(reasonOf(() => decodePayload(bigSeq))).toBe("bad-seq");
    expect(
      reasonOf(() => encodePayload({ metrics: [{ name: "b", datatype: DataType.Int8, value: 300 }] })),
    ).toBe("value-out-of-range");
    expect(
      reasonOf(() => encodePayload({ metrics: [{ name: "b", datatype: DataType.Boolean, value: 1 }] })),
    ).toBe("value-mismatch");
  });
});
