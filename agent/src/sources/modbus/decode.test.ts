import {
  loadProfiles,
  modbusProfiles,
  type PointSpec,
  pointSchema,
  type RegisterType,
  type WordOrder,
} from "@tidegate/profiles";
import { describe, expect, it } from "vitest";
import { DecodeError, decodePoint } from "./decode.js";

type RegisterOverrides = Partial<PointSpec["register"]>;

function point(
  type: RegisterType,
  order: WordOrder = "ABCD",
  register: RegisterOverrides = {},
  extra = {},
): PointSpec {
  return pointSchema.parse({
    id: "p",
    name: "P",
    register: { table: "holding", address: 0, type, order, ...register },
    ...extra,
  });
}

/** Caught error, so tests can check both its class and its message. */
function decodeFailure(p: PointSpec, words: number[]): unknown {
  try {
    decodePoint(p, words);
  } catch (err) {
    return err;
  }
  throw new Error(`expected decoding [${words}] to fail`);
}

// Words written out by hand from the value's big-endian bytes (A most significant) for each order.
const cases: Array<[RegisterType, number, Record<WordOrder, number[]>]> = [
  ["int16", -1, { ABCD: [0xffff], CDAB: [0xffff], BADC: [0xffff], DCBA: [0xffff] }],
  ["int16", -300, { ABCD: [0xfed4], CDAB: [0xfed4], BADC: [0xd4fe], DCBA: [0xd4fe] }],
  ["int16", -32768, { ABCD: [0x8000], CDAB: [0x8000], BADC: [0x0080], DCBA: [0x0080] }],
  ["int16", 0x1234, { ABCD: [0x1234], CDAB: [0x1234], BADC: [0x3412], DCBA: [0x3412] }],
  ["uint16", 0xabcd, { ABCD: [0xabcd], CDAB: [0xabcd], BADC: [0xcdab], DCBA: [0xcdab] }],
  ["uint16", 65535, { ABCD: [0xffff], CDAB: [0xffff], BADC: [0xffff], DCBA: [0xffff] }],
  [
    "int32",
    -123456, // 0xFFFE1DC0
    { ABCD: [0xfffe, 0x1dc0], CDAB: [0x1dc0, 0xfffe], BADC: [0xfeff, 0xc01d], DCBA: [0xc01d, 0xfeff] },
  ],
  [
    "uint32",
    0x12345678,
    { ABCD: [0x1234, 0x5678], CDAB: [0x5678, 0x1234], BADC: [0x3412, 0x7856], DCBA: [0x7856, 0x3412] },
  ],
  [
    "uint32",
    4_000_000_000, // 0xEE6B2800: would be negative as int32
    { ABCD: [0xee6b, 0x2800], CDAB: [0x2800, 0xee6b], BADC: [0x6bee, 0x0028], DCBA: [0x0028, 0x6bee] },
  ],
  [
    "float32",
    230,
    { ABCD: [0x4366, 0x0000], CDAB: [0x0000, 0x4366], BADC: [0x6643, 0x0000], DCBA: [0x0000, 0x6643] },
  ],
  [
    "float32",
    -0.5, // 0xBF000000
    { ABCD: [0xbf00, 0x0000], CDAB: [0x0000, 0xbf00], BADC: [0x00bf, 0x0000], DCBA: [0x0000, 0x00bf] },
  ],
  [
    "int64",
    -1234567890123, // 0xFFFFFEE08E04FB35
    {
      ABCD: [0xffff, 0xfee0, 0x8e04, 0xfb35],
      CDAB: [0xfb35, 0x8e04, 0xfee0, 0xffff],
      BADC: [0xffff, 0xe0fe, 0x048e, 0x35fb],
      DCBA: [0x35fb, 0x048e, 0xe0fe, 0xffff],
    },
  ],
  [
    "uint64",
    0x0012_3456_789a_bcde,
    {
      ABCD: [0x0012, 0x3456, 0x789a, 0xbcde],
      CDAB: [0xbcde, 0x789a, 0x3456, 0x0012],
      BADC: [0x1200, 0x5634, 0x9a78, 0xdebc],
      DCBA: [0xdebc, 0x9a78, 0x5634, 0x1200],
    },
  ],
  [
    "float64",
    Math.PI, // 0x400921FB54442D18
    {
      ABCD: [0x4009, 0x21fb, 0x5444, 0x2d18],
      CDAB: [0x2d18, 0x5444, 0x21fb, 0x4009],
      BADC: [0x0940, 0xfb21, 0x4454, 0x182d],
      DCBA: [0x182d, 0x4454, 0xfb21, 0x0940],
    },
  ],
];

describe("every numeric type in every order", () => {
  for (const [type, value, byOrder] of cases) {
    for (const [order, words] of Object.entries(byOrder) as Array<[WordOrder, number[]]>) {
      it(`${type} ${value} ${order} [${words.map((w) => w.toString(16))}]`, () => {
        expect(decodePoint(point(type, order), words)).toBe(value);
      });
    }
  }

  it("64-bit values beyond 2^53 come back as the nearest double", () => {
    expect(decodePoint(point("uint64"), [0xffff, 0xffff, 0xffff, 0xffff])).toBe(2 ** 64);
    expect(decodePoint(point("int64"), [0x8000, 0, 0, 0])).toBe(-(2 ** 63));
    expect(decodePoint(point("int64"), [0x0020, 0, 0, 1])).toBe(2 ** 53); // 2^53 + 1 rounds to 2^53
  });
});

describe("bool", () => {
  it("a coil or discrete input is its single bit", () => {
    for (const table of ["coil", "discrete"] as const) {
      expect(decodePoint(point("bool", "ABCD", { table }), [1])).toBe(true);
      expect(decodePoint(point("bool", "ABCD", { table }), [0])).toBe(false);
    }
  });

  it("in a register, reads bit `bit` of the word", () => {
    expect(decodePoint(point("bool", "ABCD", { bit: 3 }), [0x0008])).toBe(true);
    expect(decodePoint(point("bool", "ABCD", { bit: 3 }), [0xfff7])).toBe(false);
    expect(decodePoint(point("bool", "ABCD", { bit: 0 }), [0x0001])).toBe(true);
    expect(decodePoint(point("bool", "ABCD", { bit: 15 }), [0x8000])).toBe(true);
    expect(decodePoint(point("bool", "ABCD", { bit: 15 }), [0x7fff])).toBe(false);
  });

  it("counts bits after the byte order is applied (BADC/DCBA swap the bytes, CDAB does not)", () => {
    expect(decodePoint(point("bool", "CDAB", { bit: 3 }), [0x0008])).toBe(true);
    for (const order of ["BADC", "DCBA"] as const) {
      expect(decodePoint(point("bool", order, { bit: 3 }), [0x0800])).toBe(true);
      expect(decodePoint(point("bool", order, { bit: 3 }), [0x0008])).toBe(false);
      expect(decodePoint(point("bool", order, { bit: 11 }), [0x0008])).toBe(true);
    }
  });
});

describe("string", () => {
  it("is two ASCII characters per register, high byte first", () => {
    expect(decodePoint(point("string", "ABCD", { length: 3 }), [0x5344, 0x4d31, 0x3230])).toBe("SDM120");
  });

  it("drops trailing NULs and spaces but keeps leading and inner ones", () => {
    expect(decodePoint(point("string", "ABCD", { length: 4 }), [0x4142, 0x4300, 0x0000, 0x0000])).toBe("ABC");
    expect(decodePoint(point("string", "ABCD", { length: 3 }), [0x2041, 0x2042, 0x2020])).toBe(" A B");
    expect(decodePoint(point("string", "ABCD", { length: 2 }), [0x2000, 0x0020])).toBe("");
  });

  it("ignores the point's byte order", () => {
    for (const order of ["CDAB", "BADC", "DCBA"] as const) {
      expect(decodePoint(point("string", order, { length: 2 }), [0x4142, 0x4344])).toBe("ABCD");
    }
  });
});

describe("scale and offset", () => {
  it("computes raw * scale + offset without binary noise", () => {
    expect(decodePoint(point("int16", "ABCD", {}, { scale: 0.1 }), [250])).toBe(25);
    expect(decodePoint(point("int16", "ABCD", {}, { scale: 0.1 }), [7])).toBe(0.7); // 7 * 0.1 = 0.7000000000000001
    expect(decodePoint(point("int16", "ABCD", {}, { scale: 0.1 }), [3])).toBe(0.3);
    expect(decodePoint(point("int16", "ABCD", {}, { scale: 0.1 }), [0xffc9])).toBe(-5.5);
    expect(decodePoint(point("uint16", "ABCD", {}, { scale: 0.01 }), [1234])).toBe(12.34);
    expect(decodePoint(point("uint16", "ABCD", {}, { scale: 0.5 }), [3])).toBe(1.5);
    expect(decodePoint(point("uint32", "ABCD", {}, { scale: 0.001 }), [0x0001, 0xe240])).toBe(123.456);
  });

  it("applies the offset, rounding its noise too", () => {
    expect(decodePoint(point("int16", "ABCD", {}, { scale: 0.1, offset: -40 }), [650])).toBe(25);
    // Kelvin to Celsius: -529 + 273.15 is -255.85000000000002 in doubles.
    expect(decodePoint(point("int16", "ABCD", {}, { offset: 273.15 }), [0xfdef])).toBe(-255.85);
    expect(decodePoint(point("uint16", "ABCD", {}, { scale: 10, offset: -1 }), [5])).toBe(49);
  });

  it("passes unscaled integers through exactly", () => {
    expect(decodePoint(point("uint32"), [0xffff, 0xffff])).toBe(4294967295);
    expect(decodePoint(point("int16"), [0])).toBe(0);
  });

  it("leaves a scale with no short decimal form unrounded", () => {
    expect(decodePoint(point("uint16", "ABCD", {}, { scale: 1 / 3 }), [1])).toBe(1 / 3);
  });

  it("keeps a float's own digits, removing only multiplication noise", () => {
    expect(decodePoint(point("float32", "ABCD", {}, { scale: 0.1 }), [0x4040, 0x0000])).toBe(0.3); // raw 3.0
    const raw = Math.fround(23.01); // 0x41B8147B
    expect(decodePoint(point("float32"), [0x41b8, 0x147b])).toBe(raw);
    const scaled = decodePoint(point("float32", "ABCD", {}, { scale: 10 }), [0x41b8, 0x147b]);
    expect(scaled).toBeCloseTo(raw * 10, 10);
    expect(scaled).not.toBe(230); // not cut to the scale's 0 decimals
    expect(decodePoint(point("float32", "ABCD", {}, { scale: 2, offset: -1 }), [0x4366, 0x0000])).toBe(459);
  });
});

describe("values that must become bad readings", () => {
  const notANumber: Array<[string, RegisterType, WordOrder, number[]]> = [
    ["float32 NaN", "float32", "ABCD", [0x7fc0, 0x0000]],
    ["float32 NaN, words swapped", "float32", "CDAB", [0x0000, 0x7fc0]],
    ["float32 +Infinity", "float32", "ABCD", [0x7f80, 0x0000]],
    ["float32 -Infinity", "float32", "DCBA", [0x0000, 0x80ff]],
    ["float64 NaN", "float64", "ABCD", [0x7ff8, 0, 0, 0]],
    ["float64 -Infinity", "float64", "ABCD", [0xfff0, 0, 0, 0]],
  ];
  for (const [label, type, order, words] of notANumber) {
    it(`${label} throws DecodeError`, () => {
      const err = decodeFailure(point(type, order), words);
      expect(err).toBeInstanceOf(DecodeError);
      expect((err as Error).message).toMatch(
        new RegExp(`point 'p': ${type} is (NaN|-?Infinity), the device reports no value`),
      );
    });
  }

  it("the raw value the profile names as not implemented throws DecodeError, with it in hex", () => {
    const sf = point("int16", "ABCD", {}, { notImplemented: -0x8000 });
    expect(decodeFailure(sf, [0x8000])).toBeInstanceOf(DecodeError);
    expect((decodeFailure(sf, [0x8000]) as Error).message).toMatch(
      /0x8000 is the device's "not implemented" value/,
    );
    expect(decodePoint(sf, [0xfffe])).toBe(-2);
    const acc = point("uint32", "ABCD", {}, { notImplemented: 0 });
    expect((decodeFailure(acc, [0, 0]) as Error).message).toMatch(/0x00000000 is/);
    expect(decodePoint(acc, [0, 1])).toBe(1);
  });
  it("a scale that overflows to Infinity throws DecodeError", () => {
    const err = decodeFailure(point("float64", "ABCD", {}, { scale: 10 }), [0x7fef, 0xffff, 0xffff, 0xffff]);
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as Error).message).toMatch(/scaled value is Infinity/);
  });

  it("a wrong word count names the point and the expected count", () => {
    const voltage = pointSchema.parse({
      id: "voltage",
      name: "Voltage",
      register: { table: "input", address: 0, type: "float32" },
    });
    const err = decodeFailure(voltage, [0x4366]);
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as Error).message).toBe("point 'voltage' (float32 at input 0): expected 2 registers, got 1");
    expect(() => decodePoint(point("uint64"), [1, 2, 3, 4, 5])).toThrow(/expected 4 registers, got 5/);
    expect(() => decodePoint(point("int16"), [])).toThrow(/expected 1 register, got 0/);
    expect(() => decodePoint(point("string", "ABCD", { length: 3 }), [0x4142])).toThrow(
      /expected 3 registers/,
    );
    expect(() => decodePoint(point("bool", "ABCD", { table: "coil" }), [])).toThrow(/expected 1 bit, got 0/);
  });

  it("a word outside 0..65535 throws DecodeError", () => {
    expect(decodeFailure(point("uint16"), [70000])).toBeInstanceOf(DecodeError);
    expect(() => decodePoint(point("uint16"), [-1])).toThrow(/-1 is not a 16-bit register value/);
    expect(() => decodePoint(point("uint16"), [1.5])).toThrow(DecodeError);
  });
});

describe("bundled profiles' testdata (the manuals' ground truth)", () => {
  const profiles = modbusProfiles(loadProfiles());

  it("has testdata to check", () => {
    expect(profiles.flatMap((p) => p.testdata).length).toBeGreaterThan(0);
  });

  for (const profile of profiles) {
    for (const t of profile.testdata) {
      it(`${profile.id} ${t.point} [${t.raw.map((w) => `0x${w.toString(16)}`)}] = ${t.value}`, () => {
        const p = profile.points.find((x) => x.id === t.point);
        if (!p) throw new Error(`profile ${profile.id} has no point ${t.point}`);
        expect(decodePoint(p, t.raw)).toBe(t.value);
      });
    }
  }
});
