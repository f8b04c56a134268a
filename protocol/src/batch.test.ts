import { describe, expect, it } from "vitest";
import { type BatchColumns, decodeBatch, encodeBatch, encodeBatchColumns } from "./batch.js";
import type { SequencedReading } from "./reading.js";
import { batchMsgId, subjects } from "./subjects.js";
import { NewerWireVersionError } from "./wire-error.js";

const readings: SequencedReading[] = [
  { seq: 41, ts: 1_700_000_000_000, device: "meter-1", point: "voltage", value: 230.5, quality: "good" },
  { seq: 42, ts: 1_700_000_000_000, device: "meter-1", point: "breaker", value: true, quality: "good" },
  { seq: 43, ts: 1_700_000_000_500, device: "th-2", point: "serial", value: "AB-12", quality: "good" },
  {
    seq: 44,
    ts: 1_700_000_001_000,
    device: "meter-1",
    point: "voltage",
    value: null,
    quality: "bad",
    reason: "timeout after 1000 ms",
  },
  { seq: 45, ts: 1_700_000_001_000, device: "meter-1", point: "voltage", value: 229.9, quality: "uncertain" },
];

describe("batch encoding", () => {
  it("round-trips every value kind, quality and reason", () => {
    const decoded = decodeBatch(encodeBatch("plant-7", readings));
    expect(decoded).toEqual({
      gateway: "plant-7",
      epoch: 0,
      firstSeq: 41,
      lastSeq: 45,
      readings,
      wireVersion: 2,
    });
  });

  it("writes timestamps as differences in version 2", () => {
    const wire = JSON.parse(new TextDecoder().decode(encodeBatch("plant-7", readings, 5)));
    expect(wire).toMatchObject({ v: 2, ep: 5, t: [1_700_000_000_000, 0, 500, 500, 0] });
  });

  it("reads what agents one version older send", () => {
    const v1 = encodeBatch("plant-7", readings, 0, 1);
    const wire = JSON.parse(new TextDecoder().decode(v1));
    expect(wire.v).toBe(1);
    expect(wire.ep).toBeUndefined();
    expect(wire.t).toEqual(readings.map((r) => r.ts));
    expect(decodeBatch(v1)).toEqual({
      gateway: "plant-7",
      epoch: 0,
      firstSeq: 41,
      lastSeq: 45,
      readings,
      wireVersion: 1,
    });
  });

  it("refuses version 2 time differences that add up past an exact timestamp", () => {
    const max = Number.MAX_SAFE_INTEGER;
    const wire = { v: 2, gw: "p", ep: 0, first: 1, last: 2, series: [["d", "p"]], s: [0, 0], t: [max, max] };
    expect(() => decodeBatch(JSON.stringify({ ...wire, val: [1, 2], q: [0, 0] }))).toThrow(
      /^invalid batch: t\.1: timestamp 18014398509481982 is beyond any real time$/,
    );
  });

  it("version 1 cannot carry an epoch", () => {
    expect(() => encodeBatch("plant-7", readings, 7, 1)).toThrow(/version 1 cannot carry a buffer epoch/);
  });

  it("carries the buffer epoch when there is one", () => {
    expect(decodeBatch(encodeBatch("plant-7", readings, 123456789)).epoch).toBe(123456789);
  });

  it("lists each series once", () => {
    const wire = JSON.parse(new TextDecoder().decode(encodeBatch("plant-7", readings)));
    expect(wire.series).toEqual([
      ["meter-1", "voltage"],
      ["meter-1", "breaker"],
      ["th-2", "serial"],
    ]);
    expect(wire.v).toBe(2);
  });

  it("refuses readings with a gap in seq", () => {
    const gap = [readings[0], { ...readings[1], seq: 50 }] as SequencedReading[];
    expect(() => encodeBatch("plant-7", gap)).toThrow(/not contiguous: expected seq 42, got 50/);
  });

  it("refuses an empty batch", () => {
    expect(() => encodeBatch("plant-7", [])).toThrow(/empty batch/);
  });
});

describe("batch encoding from columns", () => {
  // The fixture as a column-keeping sender holds it: values and qualities already as JSON text.
  const columns: BatchColumns = {
    first: 41,
    last: 45,
    series: [
      ["meter-1", "voltage"],
      ["meter-1", "breaker"],
      ["th-2", "serial"],
    ],
    s: [0, 1, 2, 0, 0],
    ts: readings.map((r) => r.ts),
    valJson: '230.5,true,"AB-12",null,229.9',
    qJson: "0,0,0,1,2",
    r: { 3: "timeout after 1000 ms" },
  };
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

  it("writes the same bytes as encodeBatch, in both wire versions", () => {
    expect(text(encodeBatchColumns("plant-7", columns, 5))).toBe(text(encodeBatch("plant-7", readings, 5)));
    expect(text(encodeBatchColumns("plant-7", columns, 0, 1))).toBe(
      text(encodeBatch("plant-7", readings, 0, 1)),
    );
    const noReasons = readings.map(({ reason: _, ...r }) => r);
    expect(text(encodeBatchColumns("plant-7", { ...columns, r: {} }))).toBe(
      text(encodeBatch("plant-7", noReasons)),
    );
  });

  it("refuses columns that do not cover the seq range, an empty range, and an epoch in version 1", () => {
    expect(() => encodeBatchColumns("plant-7", { ...columns, last: 46 })).toThrow(
      /columns do not match seq 41\.\.46: 5 series indexes, 5 timestamps for 6 rows/,
    );
    expect(() => encodeBatchColumns("plant-7", { ...columns, ts: [1] })).toThrow(/1 timestamps for 5 rows/);
    expect(() => encodeBatchColumns("plant-7", { ...columns, last: 40 })).toThrow(/empty batch/);
    expect(() => encodeBatchColumns("plant-7", columns, 7, 1)).toThrow(
      /version 1 cannot carry a buffer epoch/,
    );
  });
});

describe("batch decoding rejects malformed input with a clear error", () => {
  const good = () => JSON.parse(new TextDecoder().decode(encodeBatch("plant-7", readings)));

  it("not JSON", () => {
    expect(() => decodeBatch("{nope")).toThrow(/batch is not valid JSON/);
  });
  it("column length does not match the seq range", () => {
    const b = good();
    b.t.pop();
    expect(() => decodeBatch(JSON.stringify(b))).toThrow(/t: expected 5 entries for seq 41..45, got 4/);
  });
  it("series index out of range", () => {
    const b = good();
    b.s[2] = 9;
    expect(() => decodeBatch(JSON.stringify(b))).toThrow(/s\.2: series index 9 out of range/);
  });
  it("bad gateway id", () => {
    const b = good();
    b.gw = "Plant 7";
    expect(() => decodeBatch(JSON.stringify(b))).toThrow(/gw: use lowercase letters/);
  });
  it("quality code out of range", () => {
    const b = good();
    b.q[0] = 7;
    expect(() => decodeBatch(JSON.stringify(b))).toThrow(
      /invalid batch: q\.0: expected a quality code 0, 1 or 2, got 7/,
    );
  });
  it("a value that is no reading's, and a column that is no array, named with where they are", () => {
    const b = good();
    (b.val as unknown[])[1] = { volts: 230 };
    expect(() => decodeBatch(JSON.stringify(b))).toThrow(
      /val\.1: expected a number, boolean, string or null, got \{"volts":230\}/,
    );
    expect(() => decodeBatch(JSON.stringify({ ...good(), t: "soon" }))).toThrow(/t: expected an array/);
    expect(() => decodeBatch(JSON.stringify({ ...good(), s: [0, 1.5] }))).toThrow(
      /s\.1: expected a series index/,
    );
  });
  it("newer wire version names the fix, and is told apart from a malformed batch", () => {
    const b = good();
    b.v = 3;
    expect(() => decodeBatch(JSON.stringify(b))).toThrow(NewerWireVersionError);
    expect(() => decodeBatch(JSON.stringify(b))).toThrow(/wire version 3; this build reads versions up to 2/);
    // A collector that reads only version 1 keeps version-2 batches for a newer reader.
    expect(() => decodeBatch(encodeBatch("plant-7", readings, 9), { maxVersion: 1 })).toThrow(
      NewerWireVersionError,
    );
  });
  it("a timestamp before 1970 after adding up differences", () => {
    const b = good();
    b.t[1] = -1_800_000_000_000;
    expect(() => decodeBatch(JSON.stringify(b))).toThrow(/t\.1: timestamp .* is before 1970/);
  });
  it("version 2 without an epoch", () => {
    const b = good();
    delete b.ep;
    expect(() => decodeBatch(JSON.stringify(b))).toThrow(/invalid batch: ep/);
  });
});

describe("subjects", () => {
  it("name the gateway", () => {
    expect(subjects.telemetry("plant-7")).toBe("tidegate.telemetry.plant-7");
    expect(subjects.status("plant-7")).toBe("tidegate.status.plant-7");
    expect(batchMsgId("plant-7", 41, 45)).toBe("plant-7:41-45");
    expect(batchMsgId("plant-7", 41, 45, 99)).toBe("plant-7:41-45@99");
  });
});
