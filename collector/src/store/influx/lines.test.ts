import type { Batch } from "@tidegate/protocol";
import { describe, expect, it } from "vitest";
import { parseLine } from "../../../../test/helpers/influx-v2-standin.js";
import { batchLines } from "./lines.js";

const batch: Batch = {
  gateway: "plant-1",
  epoch: 7,
  firstSeq: 41,
  lastSeq: 45,
  readings: [
    { seq: 41, ts: 1_700_000_000_123, device: "m1", point: "voltage", value: 230.5, quality: "good" },
    { seq: 42, ts: 1_700_000_000_124, device: "m1", point: "running", value: true, quality: "good" },
    { seq: 43, ts: 1_700_000_000_125, device: "m1", point: "mode", value: 'auto "eco"', quality: "good" },
    {
      seq: 44,
      ts: 1_700_000_000_126,
      device: "m1",
      point: "voltage",
      value: null,
      quality: "bad",
      reason: "timeout",
    },
    { seq: 45, ts: 1_700_000_000_127, device: "m1", point: "voltage", value: 7, quality: "uncertain" },
  ],
};

describe("InfluxDB line encoding", () => {
  it("writes the reading schema: tags gateway/device/point, value/text/quality/seq fields, ms timestamps", () => {
    const lines = batchLines([batch]);
    expect(lines[0]).toBe(
      'reading,device=m1,gateway=plant-1,point=voltage quality="good",seq=41i,value=230.5 1700000000123',
    );
    const points = lines.map(parseLine);
    expect(points.map((p) => p.measurement)).toEqual(Array(5).fill("reading"));
    expect(points[1]?.fields).toEqual({ quality: "good", seq: 42, value: 1 });
    expect(points[1]?.intFields).toEqual(["seq"]);
    expect(points[2]?.fields).toEqual({ quality: "good", seq: 43, text: 'auto "eco"' });
    expect(points[4]?.fields).toMatchObject({ quality: "uncertain", value: 7 });
    expect(points[4]?.intFields).not.toContain("value"); // always a float: one field type per shard
  });

  it("stores a bad reading without a value, so charts show a gap", () => {
    const bad = parseLine(batchLines([batch])[3] as string);
    expect(bad.fields).toEqual({ quality: "bad", seq: 44 });
    expect(bad.ts).toBe(1_700_000_000_126);
  });

  it("escapes what line protocol needs escaped", () => {
    const odd: Batch = {
      ...batch,
      readings: [{ seq: 1, ts: 5, device: "a b", point: "x,y=z", value: 'back\\slash "q"', quality: "good" }],
    };
    const [line] = batchLines([odd]);
    expect(parseLine(line as string)).toMatchObject({
      tags: { gateway: "plant-1", device: "a b", point: "x,y=z" },
      fields: { text: 'back\\slash "q"' },
    });
  });
});
