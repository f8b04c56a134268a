import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeBatch, encodeBatchColumns, type Quality, type Reading } from "@tidegate/protocol";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { unsentReadings } from "../../../test/helpers/buffer-file.js";
import { openBuffer, type ReadingBuffer } from "./buffer.js";

let dir: string;
let buf: ReadingBuffer;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-run-"));
  buf = openBuffer({ path: join(dir, "b.db"), commitIntervalMs: 0 });
});
afterEach(() => {
  buf.close();
  rmSync(dir, { recursive: true, force: true });
});

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/**
 * readRun + encodeBatchColumns must put on the wire exactly what encodeBatch puts there for the
 * unsent readings the file holds (read by a second connection: same range, same bytes), in both
 * wire versions.
 */
function expectSameBatch(b: ReadingBuffer, path: string, after: number, limit: number, through?: number) {
  const run = b.readRun(after, limit, through);
  const readings = unsentReadings(path, after, limit).filter(
    (r) => r.seq <= (through ?? Number.POSITIVE_INFINITY),
  );
  const first = readings[0];
  if (!first) {
    expect(run).toBeUndefined();
    return undefined;
  }
  if (!run) throw new Error(`readRun(${after}, ${limit}) found nothing, the file holds seq ${first.seq}`);
  expect([run.first, run.last]).toEqual([first.seq, first.seq + readings.length - 1]);
  expect(text(encodeBatchColumns("plant-7", run, 77))).toBe(text(encodeBatch("plant-7", readings, 77)));
  expect(text(encodeBatchColumns("plant-7", run, 0, 1))).toBe(text(encodeBatch("plant-7", readings, 0, 1)));
  return [run.first, run.last];
}

const at = 1_700_000_000_000;
const mixed: Reading[] = [
  { ts: at, device: "meter-1", point: "voltage", value: 230.5, quality: "good" },
  { ts: at, device: "meter-1", point: "breaker", value: true, quality: "good" },
  { ts: at + 500, device: "th-2", point: "serial", value: 'AB,12 "x" \\ ü ✓ 🚀\n\u2028', quality: "good" },
  {
    ts: at + 1000,
    device: "meter-1",
    point: "voltage",
    value: null,
    quality: "bad",
    reason: "timeout, 1000 ms",
  },
  { ts: at + 1000, device: "meter-1", point: "voltage", value: 229.9, quality: "uncertain" },
  { ts: at + 900, device: "th-2", point: "serial", value: "", quality: "good" }, // a clock step back
  { ts: at + 900, device: "th-2", point: "flag", value: false, quality: "bad", reason: "" },
  { ts: at + 950, device: 'Ünï "dev"', point: "p,1", value: -0, quality: "good" },
  { ts: at + 950, device: "meter-1", point: "big", value: 1e21, quality: "good" },
  { ts: at + 950, device: "meter-1", point: "small", value: -1.5e-7, quality: "good" },
  { ts: at + 950, device: "meter-1", point: "max", value: Number.MAX_SAFE_INTEGER, quality: "good" },
  { ts: at + 950, device: "meter-1", point: "sum", value: 0.1 + 0.2, quality: "good" },
  { ts: at + 950, device: "meter-1", point: "nan", value: Number.NaN, quality: "good" },
  { ts: at + 960, device: "meter-1", point: "odd", value: 3, quality: "weird" as Quality, reason: "r" },
  { ts: 0, device: "meter-1", point: "voltage", value: 0, quality: "good" },
  { ts: 5, device: "ctl\u0001", point: "two\nlines", value: 1, quality: "bad", reason: 'a\nb "c"' },
];

describe("readRun (batch wire columns straight from the buffer)", () => {
  it("encodes byte for byte what encodeBatch writes for the file's unsent readings", () => {
    buf.append(mixed);
    expect(expectSameBatch(buf, join(dir, "b.db"), 0, 100)).toEqual([1, mixed.length]);
    for (let after = 0; after < mixed.length; after++)
      for (const limit of [1, 2, 5]) expectSameBatch(buf, join(dir, "b.db"), after, limit);
  });

  it("stops the run at the first seq gap", () => {
    buf.append(mixed);
    buf.markSent(6, 8); // acked out of order: a hole in the middle
    expect(expectSameBatch(buf, join(dir, "b.db"), 0, 100)).toEqual([1, 5]);
    expect(expectSameBatch(buf, join(dir, "b.db"), 3, 100)).toEqual([4, 5]);
    expect(expectSameBatch(buf, join(dir, "b.db"), 5, 100)).toEqual([9, mixed.length]);
    expect(expectSameBatch(buf, join(dir, "b.db"), 5, 2)).toEqual([9, 10]);
  });

  it("does not go past throughSeq, and finds nothing after the last row or for no room", () => {
    buf.append(mixed);
    expect(expectSameBatch(buf, join(dir, "b.db"), 0, 100, 4)).toEqual([1, 4]);
    expect(expectSameBatch(buf, join(dir, "b.db"), 2, 100, 3)).toEqual([3, 3]);
    expect(buf.readRun(3, 100, 3)).toBeUndefined();
    expect(buf.readRun(mixed.length, 100)).toBeUndefined();
    expect(buf.readRun(0, 0)).toBeUndefined();
  });

  it("starts after rows that were dropped from the front", () => {
    buf.append(mixed);
    buf.markSent(1, 4);
    expect(expectSameBatch(buf, join(dir, "b.db"), 0, 3)).toEqual([5, 7]);
  });

  it("lists each series once, in order of first appearance", () => {
    buf.append(mixed.slice(0, 5));
    const run = buf.readRun(0, 10);
    expect(run?.series).toEqual([
      ["meter-1", "voltage"],
      ["meter-1", "breaker"],
      ["th-2", "serial"],
    ]);
    expect(run?.s).toEqual([0, 1, 2, 0, 0]);
    expect(run?.r).toEqual({ 3: "timeout, 1000 ms" });
  });

  it("matches encodeBatch for any readings, acks and bounds", () => {
    const name = fc.string({ unit: "grapheme", minLength: 1, maxLength: 8 });
    const reading = fc.record(
      {
        ts: fc.integer({ min: 0, max: 2 ** 45 }),
        device: fc.constantFrom("m1", "m2", 'Ünï,"d"', "new\nline"),
        point: name,
        value: fc.oneof(
          fc.double(),
          fc.integer(),
          fc.boolean(),
          fc.string({ unit: "binary", maxLength: 12 }),
          fc.constant(null),
        ),
        quality: fc.constantFrom<Quality>("good", "bad", "uncertain"),
        reason: fc.string({ maxLength: 10 }),
      },
      { requiredKeys: ["ts", "device", "point", "value", "quality"] },
    );
    fc.assert(
      fc.property(
        fc.array(reading, { minLength: 1, maxLength: 30 }),
        fc.array(fc.tuple(fc.nat(30), fc.nat(5)), { maxLength: 3 }),
        fc.nat(32),
        fc.integer({ min: 1, max: 40 }),
        fc.option(fc.nat(35), { nil: undefined }),
        (readings, acks, after, limit, through) => {
          const path = join(dir, `p${Math.random()}.db`);
          const b = openBuffer({ path, commitIntervalMs: 0 });
          try {
            b.append(readings);
            for (const [first, n] of acks) b.markSent(first + 1, first + 1 + n);
            expectSameBatch(b, path, after, limit, through);
          } finally {
            b.close();
          }
        },
      ),
      { numRuns: 150 },
    );
    // 150 buffer files made, written and read back by a second connection: CPU-bound, so a loaded
    // machine gets more than the default 5 s.
  }, 30_000);
});
