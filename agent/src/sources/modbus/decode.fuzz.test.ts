import {
  loadProfiles,
  modbusProfiles,
  type PointSpec,
  pointSchema,
  registerCount,
  registerTables,
  registerTypes,
  wordOrders,
} from "@tidegate/profiles";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planReads } from "./coalesce.js";
import { DecodeError, decodePoint } from "./decode.js";
import { describeModbusError } from "./errors.js";
import { type BlockReadResult, blockToReadings } from "./readings.js";

const profiles = modbusProfiles(loadProfiles());
const realPoints = new Map(profiles.flatMap((p) => p.points.map((pt) => [`${p.id}/${pt.id}`, pt] as const)));
/** Points are drawn by key, so a counterexample names the point instead of printing its spec. */
const realKey = fc.constantFrom(...realPoints.keys());

/** Every type and byte order a profile may declare, with any finite scale and offset. */
const syntheticPoint = fc
  .record({
    table: fc.constantFrom(...registerTables),
    type: fc.constantFrom(...registerTypes),
    order: fc.constantFrom(...wordOrders),
    bit: fc.nat({ max: 15 }),
    length: fc.integer({ min: 1, max: 8 }),
    scale: fc.oneof(
      fc.constantFrom(1, 0.1, 0.01, -1, 1.852, 1e300, 1 / 3),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
    ),
    offset: fc.oneof(fc.constantFrom(0, -40, 273.15), fc.double({ noNaN: true, noDefaultInfinity: true })),
  })
  .map((r) => {
    const bitTable = r.table === "coil" || r.table === "discrete";
    return pointSchema.parse({
      id: "p",
      name: "p",
      scale: r.scale,
      offset: r.offset,
      register: {
        table: r.table,
        address: 0,
        type: bitTable ? "bool" : r.type,
        order: r.order,
        ...(r.type === "bool" && !bitTable ? { bit: r.bit } : {}),
        ...(r.type === "string" && !bitTable ? { length: r.length } : {}),
      },
    }) as PointSpec;
  });

/** What a device (or a broken driver) may hand back: words of any value, the right count or not. */
const word = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 0xffff }) },
  { weight: 1, arbitrary: fc.constantFrom(0x7fc0, 0x7f80, 0xff80, 0xffff, 0x8000, 0) }, // NaN/±Inf halves, extremes
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(-1, 65536, 0.5, Number.NaN)) },
);
const wordsFor = (count: number) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.array(word, { minLength: count, maxLength: count }) },
    { weight: 1, arbitrary: fc.array(word, { maxLength: count + 3 }) },
  );

/** A finite value of the point's type, or a DecodeError: never another exception. */
function decodesOrExplains(point: PointSpec, words: number[]): void {
  let value: unknown;
  try {
    value = decodePoint(point, words);
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as Error).message).toContain(point.id);
    return;
  }
  const { type, table } = point.register;
  const kind =
    table === "coil" || table === "discrete" || type === "bool"
      ? "boolean"
      : type === "string"
        ? "string"
        : "number";
  expect(typeof value).toBe(kind);
  if (typeof value === "number") expect(Number.isFinite(value)).toBe(true);
}

/** What a Modbus driver may throw: errors with odd codes and messages, or not errors at all. */
const thrown = fc.oneof(
  fc.anything(),
  fc
    .record(
      {
        modbusCode: fc.oneof(fc.integer({ min: -1, max: 300 }), fc.string()),
        errno: fc.oneof(fc.string(), fc.constantFrom("ETIMEDOUT", "ECONNRESET")),
        code: fc.oneof(fc.string(), fc.integer()),
        message: fc.oneof(fc.string(), fc.constantFrom("", "CRC error", "Timed out")),
        name: fc.constantFrom("Error", "TransactionTimedOutError", ""),
      },
      { requiredKeys: [] },
    )
    .map((fields) => Object.assign(new Error(), fields)),
);

// Generous: the runs are bounded, but a busy CI machine may be slow.
describe("Modbus response decoder (fuzzed)", { timeout: 30_000 }, () => {
  it("describeModbusError gives a reason for anything a driver throws", () => {
    fc.assert(
      fc.property(thrown, (err) => {
        const info = describeModbusError(err, 1000);
        expect(info.reason.trim().length).toBeGreaterThan(0);
        expect(["exception", "timeout", "corrupt", "connection"]).toContain(info.kind);
      }),
      { numRuns: 300 },
    );
  });

  it("decodes any words for the bundled profiles' points, or says why not", () => {
    const input = realKey.chain((key) =>
      fc.tuple(fc.constant(key), wordsFor(registerCount((realPoints.get(key) as PointSpec).register))),
    );
    fc.assert(
      fc.property(input, ([key, words]) => decodesOrExplains(realPoints.get(key) as PointSpec, words)),
      { numRuns: 600 },
    );
  });

  it("decodes any words for every type, byte order, scale and offset, or says why not", () => {
    const input = syntheticPoint.chain((point) =>
      fc.tuple(fc.constant(point), wordsFor(registerCount(point.register))),
    );
    fc.assert(
      fc.property(input, ([point, words]) => decodesOrExplains(point, words)),
      { numRuns: 600 },
    );
  });

  it("a block read becomes one reading per point: good and finite, or bad with a reason", () => {
    const profileIds = fc.constantFrom(...profiles.map((p) => p.id));
    // A failed read's reason is what describeModbusError made of whatever the driver threw.
    const result: fc.Arbitrary<BlockReadResult> = fc.oneof(
      { weight: 4, arbitrary: fc.array(word, { maxLength: 130 }).map((words) => ({ words })) },
      { weight: 1, arbitrary: thrown.map((err) => ({ error: describeModbusError(err, 1000).reason })) },
    );
    fc.assert(
      fc.property(profileIds, fc.nat({ max: 20 }), result, (id, maxGap, res) => {
        const profile = profiles.find((p) => p.id === id);
        for (const block of planReads(profile?.points ?? [], { maxGap })) {
          const readings = blockToReadings(block, res, { device: "d1", ts: 1 });
          expect(readings.map((r) => r.point)).toEqual(block.points.map((e) => e.point.id));
          for (const r of readings) {
            if (r.quality === "good") {
              expect(r.value).not.toBeNull();
              if (typeof r.value === "number") expect(Number.isFinite(r.value)).toBe(true);
            } else {
              expect(r.value).toBeNull();
              expect(r.reason?.length).toBeGreaterThan(0);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
