import type { Reading } from "@tidegate/protocol";
import { describe, expect, it } from "vitest";
import { encodePayload, type SparkplugPayload } from "../../sparkplug/payload/codec.js";
import { DataType } from "../../sparkplug/payload/datatypes.js";
import { createSparkplugHost } from "./host.js";

function rig() {
  const readings: Reading[] = [];
  const rebirths: string[] = [];
  const host = createSparkplugHost({
    group: "plant",
    now: () => 500,
    events: { emit: (r) => readings.push(...r), rebirth: (node, why) => rebirths.push(`${node}: ${why}`) },
  });
  const send = (type: string, p: SparkplugPayload, device?: string) =>
    host.onMessage(`spBv1.0/plant/${type}/press-4${device ? `/${device}` : ""}`, encodePayload(p));
  return { host, readings, rebirths, send };
}

/** A DATA metric as edge nodes send it: by alias, the datatype left to the BIRTH. */
const byAlias = (alias: number, value: number) => ({
  alias,
  value,
  datatype: DataType.Int16,
  datatypeOnWire: false,
});
const nbirth = (bdSeq: number): SparkplugPayload => ({
  seq: 0,
  timestamp: 100,
  metrics: [
    { name: "bdSeq", datatype: DataType.UInt64, value: bdSeq },
    { name: "Node Control/Rebirth", datatype: DataType.Boolean, value: false },
  ],
});
const dbirth: SparkplugPayload = {
  seq: 1,
  timestamp: 110,
  metrics: [
    { name: "Motor/Speed", alias: 3, datatype: DataType.Int16, value: -20, properties: { engUnit: "rpm" } },
    { name: "Running", alias: 4, datatype: DataType.Boolean, value: true },
  ],
};

describe("Sparkplug host", () => {
  it("maps DATA metrics to points through the BIRTH aliases and datatypes", () => {
    const { host, readings, rebirths, send } = rig();
    send("NBIRTH", nbirth(0));
    send("DBIRTH", dbirth, "plc");
    send("DDATA", { seq: 2, timestamp: 120, metrics: [{ ...byAlias(3, -1), timestamp: 118 }] }, "plc");
    expect(readings).toEqual([
      { ts: 110, device: "press-4-plc", point: "Motor_Speed", value: -20, quality: "good" },
      { ts: 110, device: "press-4-plc", point: "Running", value: true, quality: "good" },
      { ts: 118, device: "press-4-plc", point: "Motor_Speed", value: -1, quality: "good" },
    ]);
    const plc = host.devices().find((d) => d.id === "press-4-plc");
    expect(plc?.alive).toBe(true);
    expect(plc?.points.get("Motor_Speed")).toMatchObject({ name: "Motor/Speed", unit: "rpm" });
    expect(rebirths).toEqual([]);
  });

  it("asks for a rebirth on data before a birth, a seq gap or an unknown alias, and counts what it dropped", () => {
    const { host, readings, rebirths, send } = rig();
    send("DDATA", { seq: 5, metrics: [byAlias(3, 1)] }, "plc");
    send("NBIRTH", nbirth(0));
    send("DBIRTH", dbirth, "plc");
    send("DDATA", { seq: 4, metrics: [byAlias(3, 1)] }, "plc");
    send("NBIRTH", nbirth(0));
    send("DBIRTH", dbirth, "plc");
    send("DDATA", { seq: 2, metrics: [byAlias(99, 1)] }, "plc");
    host.onMessage("spBv1.0/plant/DDATA/press-4/plc", Uint8Array.from([0xff, 0x01]));
    expect(rebirths).toEqual([
      "press-4: DDATA before NBIRTH",
      "press-4: seq gap at DDATA",
      "press-4: unknown alias",
    ]);
    expect(host.dropped()).toEqual({
      "before-birth": 1,
      "seq-gap": 1,
      "unknown-metric": 1,
      "not-protobuf": 1,
    });
    expect(readings.filter((r) => r.value === 1)).toEqual([]);
  });

  it("marks devices failing on DDEATH and NDEATH, but not on a late will of an older connection", () => {
    const { host, send } = rig();
    send("NBIRTH", nbirth(7));
    send("DBIRTH", dbirth, "plc");
    send("NDEATH", { metrics: [{ name: "bdSeq", datatype: DataType.UInt64, value: 6 }] });
    expect(host.devices().every((d) => d.alive)).toBe(true);
    send("DDEATH", { seq: 2, metrics: [] }, "plc");
    expect(host.devices().find((d) => d.id === "press-4-plc")).toMatchObject({
      alive: false,
      reason: "DDEATH",
    });
    send("NDEATH", { metrics: [{ name: "bdSeq", datatype: DataType.UInt64, value: 7 }] });
    expect(host.devices().map((d) => [d.id, d.alive, d.reason])).toEqual([
      ["press-4", false, "NDEATH"],
      ["press-4-plc", false, "NDEATH"],
    ]);
    expect(host.dropped()).toEqual({ "stale-ndeath": 1 });
  });
});
