import type { Reading } from "@tidegate/protocol";
import { describe, expect, it } from "vitest";
import { decodePayload } from "../payload/codec.js";
import { DataType } from "../payload/datatypes.js";
import { createEdgeSession, type DeviceModel } from "./session.js";

const meter: DeviceModel = { id: "meter-1", points: [{ id: "voltage", unit: "V", label: "Voltage" }] };
const reading = (
  value: number | string | null,
  ts = 1000,
  quality: Reading["quality"] = "good",
): Reading => ({
  ts,
  device: "meter-1",
  point: "voltage",
  value,
  quality,
});
const current = (r?: Reading) => () => new Map(r ? [[r.point, r]] : []);

describe("edge node session", () => {
  it("gives each connect a new bdSeq, wrapping at 255, in its NDEATH and in the NBIRTH after it", () => {
    const s = createEdgeSession({ groupId: "plant", edgeNodeId: "gw-1", now: () => 5 });
    const seen: number[] = [];
    for (let i = 0; i < 258; i++) {
      const will = s.nextConnect();
      expect(will.topic).toBe("spBv1.0/plant/NDEATH/gw-1");
      const death = decodePayload(will.payload);
      expect(death.seq).toBeUndefined();
      seen.push(death.metrics[0]?.value as number);
    }
    expect(seen.slice(0, 3)).toEqual([0, 1, 2]);
    expect(seen.slice(254)).toEqual([254, 255, 0, 1]);
    const [nbirth] = s.birth([], () => new Map());
    const birth = decodePayload(nbirth?.payload as Uint8Array);
    expect(birth.seq).toBe(0);
    expect(birth.metrics.map((m) => [m.name, m.value])).toEqual([
      ["bdSeq", 1],
      ["Node Control/Rebirth", false],
    ]);
  });

  it("births every metric with alias, datatype and unit, then sends only changes, by alias, seq wrapping", () => {
    const s = createEdgeSession({ groupId: "plant", edgeNodeId: "gw-1" });
    s.nextConnect();
    const first = reading(230.1);
    const births = s.birth([meter], current(first));
    expect(births.map((b) => b.topic)).toEqual([
      "spBv1.0/plant/NBIRTH/gw-1",
      "spBv1.0/plant/DBIRTH/gw-1/meter-1",
    ]);
    const dbirth = decodePayload(births[1]?.payload as Uint8Array);
    expect(dbirth.seq).toBe(1);
    expect(dbirth.metrics).toEqual([
      {
        name: "voltage",
        alias: 1,
        datatype: DataType.Double,
        value: 230.1,
        timestamp: 1000,
        properties: { engUnit: "V", description: "Voltage" },
      },
    ]);
    expect(s.resolve("meter-1", { alias: 1 })).toEqual({ point: "voltage", datatype: DataType.Double });
    expect(s.resolve("meter-1", { name: "voltage" })?.point).toBe("voltage");
    expect(s.resolve("meter-1", { alias: 2 })).toBeUndefined();
    const model = () => meter;
    expect(s.data([reading(230.1, 2000)], model, current())).toEqual([]);
    const seqs: number[] = [];
    for (let i = 0; i < 300; i++) {
      const [msg] = s.data([reading(i, 3000 + i)], model, current());
      const p = decodePayload(msg?.payload as Uint8Array);
      expect(p.metrics).toEqual([{ alias: 1, timestamp: 3000 + i, value: i }]);
      seqs.push(p.seq as number);
    }
    expect(seqs.slice(0, 2)).toEqual([2, 3]);
    expect(seqs.slice(252, 256)).toEqual([254, 255, 0, 1]);
  });

  it("births a device again when a value changes type, and sends held readings as historical", () => {
    const s = createEdgeSession({ groupId: "plant", edgeNodeId: "gw-1" });
    s.nextConnect();
    s.birth([meter], current(reading(1)));
    const text = reading("n/a", 2000);
    const [again] = s.data([text], () => meter, current(text));
    expect(again?.topic).toBe("spBv1.0/plant/DBIRTH/gw-1/meter-1");
    expect(decodePayload(again?.payload as Uint8Array).metrics[0]).toMatchObject({
      alias: 1,
      datatype: DataType.String,
      value: "n/a",
    });
    const held = [reading("a", 10), reading("a", 20), reading(null, 30, "bad")];
    const [hist] = s.data(held, () => meter, current(), true);
    expect(decodePayload(hist?.payload as Uint8Array).metrics).toEqual([
      { alias: 1, timestamp: 10, value: "a", isHistorical: true },
      { alias: 1, timestamp: 20, value: "a", isHistorical: true },
      { alias: 1, timestamp: 30, value: null, isHistorical: true },
    ]);
    const death = s.deviceDeath("meter-1");
    expect(death.topic).toBe("spBv1.0/plant/DDEATH/gw-1/meter-1");
    expect(s.born("meter-1")).toBe(false);
  });
});
