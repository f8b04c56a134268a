import { fileURLToPath } from "node:url";
import type { AnyProfile } from "@tidegate/profiles";
import type { Reading } from "@tidegate/protocol";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { DataType } from "../payload/datatypes.js";
import { declaredDatatype, fitsDatatype } from "./point-datatype.js";
import { createEdgeSession, type DeviceModel } from "./session.js";

// The independent decoder the codec's tests use: protobufjs reading the spec's .proto by reflection.
const root = protobuf.loadSync(fileURLToPath(new URL("../payload/sparkplug_b.proto", import.meta.url)));
const Payload = root.lookupType("org.eclipse.tahu.protobuf.Payload");
const decode = (bytes: Uint8Array) =>
  Payload.toObject(Payload.decode(bytes), { longs: String, oneofs: true }) as {
    metrics: { name?: string; alias?: string; datatype?: number; value?: string; [k: string]: unknown }[];
  };

type Point = AnyProfile["points"][number];
const modbus = (type: string, scale = 1, offset = 0) =>
  ({
    id: type,
    name: type,
    scale,
    offset,
    register: { table: "holding", address: 0, type, order: "ABCD" },
  }) as unknown as Point;
const opcua = (type: string) =>
  ({ id: type, name: type, type, scale: 1, offset: 0, nodeId: "i=1" }) as unknown as Point;

describe("declaredDatatype", () => {
  it("takes a raw Modbus register's own type, and Double once a scale or offset makes fractions", () => {
    expect(declaredDatatype("modbus", modbus("int16"))).toBe(DataType.Int16);
    expect(declaredDatatype("modbus", modbus("uint32"))).toBe(DataType.UInt32);
    expect(declaredDatatype("modbus", modbus("int64"))).toBe(DataType.Int64);
    expect(declaredDatatype("modbus", modbus("float32"))).toBe(DataType.Float);
    expect(declaredDatatype("modbus", modbus("float32", 0.1))).toBe(DataType.Float);
    expect(declaredDatatype("modbus", modbus("bool"))).toBe(DataType.Boolean);
    expect(declaredDatatype("modbus", modbus("int16", 0.1))).toBe(DataType.Double);
    expect(declaredDatatype("modbus", modbus("uint16", 1, -40))).toBe(DataType.Double);
  });

  it("takes an OPC UA point's value type, and leaves profiles that do not say to the value", () => {
    expect(declaredDatatype("opcua", opcua("number"))).toBe(DataType.Double);
    expect(declaredDatatype("opcua", opcua("string"))).toBe(DataType.String);
    expect(declaredDatatype("opcua", opcua("datetime"))).toBe(DataType.DateTime);
    expect(declaredDatatype("mqtt", { id: "t", name: "t" } as unknown as Point)).toBeUndefined();
  });
});

describe("fitsDatatype", () => {
  it("checks kind and range", () => {
    expect(fitsDatatype(-300, DataType.Int16)).toBe(true);
    expect(fitsDatatype(40_000, DataType.Int16)).toBe(false);
    expect(fitsDatatype(1.5, DataType.Int32)).toBe(false);
    expect(fitsDatatype(-1, DataType.UInt32)).toBe(false);
    expect(fitsDatatype(1.5, DataType.Float)).toBe(true);
    expect(fitsDatatype(true, DataType.Double)).toBe(false);
    expect(fitsDatatype(null, DataType.Int16)).toBe(true);
  });
});

describe("a birth with the profile's datatypes, read by the independent decoder", () => {
  const device: DeviceModel = {
    id: "plc-1",
    points: [
      { id: "int16", datatype: DataType.Int16 },
      { id: "int32", datatype: DataType.Int32 },
      { id: "uint32", datatype: DataType.UInt32 },
      { id: "int64", datatype: DataType.Int64 },
      { id: "float", datatype: DataType.Float },
      { id: "double", datatype: DataType.Double },
      { id: "bool", datatype: DataType.Boolean },
      { id: "string", datatype: DataType.String },
      { id: "loose" },
    ],
  };
  const values: Record<string, Reading["value"]> = {
    int16: -300,
    int32: -70_000,
    uint32: 4_000_000_000,
    int64: -5,
    float: 1.5,
    double: 230.17,
    bool: true,
    string: "P-1042",
    loose: 7,
  };
  const readings = Object.entries(values).map(
    ([point, value]): Reading => ({ ts: 1000, device: "plc-1", point, value, quality: "good" }),
  );
  const current = () => new Map(readings.map((r) => [r.point, r]));

  it("sends each metric in its own datatype and value field, and a value that does not fit as the value's own", () => {
    const session = createEdgeSession({ groupId: "plant", edgeNodeId: "gw-1", now: () => 1 });
    session.nextConnect();
    const [, dbirth] = session.birth([device], current);
    const metrics = decode(dbirth?.payload as Uint8Array).metrics;
    const got = Object.fromEntries(metrics.map((m) => [m.name, { datatype: m.datatype, field: m.value }]));
    expect(got).toEqual({
      int16: { datatype: DataType.Int16, field: "intValue" },
      int32: { datatype: DataType.Int32, field: "intValue" },
      uint32: { datatype: DataType.UInt32, field: "intValue" },
      int64: { datatype: DataType.Int64, field: "longValue" },
      float: { datatype: DataType.Float, field: "floatValue" },
      double: { datatype: DataType.Double, field: "doubleValue" },
      bool: { datatype: DataType.Boolean, field: "booleanValue" },
      string: { datatype: DataType.String, field: "stringValue" },
      loose: { datatype: DataType.Double, field: "doubleValue" },
    });
    expect(metrics.find((m) => m.name === "int16")?.intValue).toBe(4294966996); // -300, sign-extended as Tahu writes it
    expect(metrics.find((m) => m.name === "uint32")?.intValue).toBe(4_000_000_000);

    // Changes go out by alias under the born datatype; a fraction on an Int16 point births it again as Double.
    const data = session.data(
      [{ ts: 2000, device: "plc-1", point: "int16", value: 12, quality: "good" }],
      () => device,
      current,
    );
    const ddata = decode(data[0]?.payload as Uint8Array);
    expect(data[0]?.topic).toBe("spBv1.0/plant/DDATA/gw-1/plc-1");
    expect(ddata.metrics[0]).toMatchObject({ intValue: 12, value: "intValue" });
    const fraction: Reading = { ts: 3000, device: "plc-1", point: "int16", value: 1.5, quality: "good" };
    const again = session.data(
      [fraction],
      () => device,
      () => new Map([...current(), ["int16", fraction]]),
    );
    expect(again[0]?.topic).toBe("spBv1.0/plant/DBIRTH/gw-1/plc-1");
    const reborn = decode(again[0]?.payload as Uint8Array).metrics.find((m) => m.name === "int16");
    expect(reborn).toMatchObject({ datatype: DataType.Double, doubleValue: 1.5 });
  });
});
