import {
  loadProfiles,
  modbusProfiles,
  type PointSpec,
  pointSchema,
  type RegisterType,
  type WordOrder,
} from "@tidegate/profiles";
import { describe, expect, it } from "vitest";
import { decodePointWords } from "./decode.js";
import { encodePointValue, type PointValue, quantize } from "./encode.js";

function point(
  type: RegisterType,
  order: WordOrder = "ABCD",
  extra: Record<string, unknown> = {},
): PointSpec {
  const { register, ...rest } = extra as { register?: Record<string, unknown> };
  return pointSchema.parse({
    id: "p",
    name: "P",
    register: { table: "holding", address: 0, type, order, ...register },
    ...rest,
  });
}

describe("profile testdata (the manuals' ground truth)", () => {
  for (const profile of modbusProfiles(loadProfiles())) {
    for (const t of profile.testdata) {
      it(`${profile.id} ${t.point} = ${t.value} encodes to [${t.raw.map((w) => `0x${w.toString(16)}`)}]`, () => {
        const p = profile.points.find((x) => x.id === t.point);
        if (!p) throw new Error(`no point ${t.point}`);
        const bit = "bit" in p.register ? p.register.bit : undefined;
        // A manual's example of a status bit is often the whole status word: only that bit must agree.
        if (bit !== undefined)
          expect(((encodePointValue(p, t.value)[0] ?? 0) >> bit) & 1).toBe(((t.raw[0] ?? 0) >> bit) & 1);
        else expect(encodePointValue(p, t.value)).toEqual(t.raw);
        // The manual's value may be rounded (25.0 for raw 250 at scale 0.1); the bits must agree closely.
        if (typeof t.value === "number") expect(quantize(p, t.value)).toBeCloseTo(t.value, 9);
        else expect(quantize(p, t.value)).toBe(t.value);
      });
    }
  }
});

// Hand-written words for every numeric type in every order; values chosen so no two bytes are equal
// (or a sign extension makes the swap visible).
const cases: Array<[RegisterType, PointValue, Record<WordOrder, number[]>]> = [
  ["int16", 0x1234, { ABCD: [0x1234], CDAB: [0x1234], BADC: [0x3412], DCBA: [0x3412] }],
  ["int16", -2, { ABCD: [0xfffe], CDAB: [0xfffe], BADC: [0xfeff], DCBA: [0xfeff] }],
  ["uint16", 0xabcd, { ABCD: [0xabcd], CDAB: [0xabcd], BADC: [0xcdab], DCBA: [0xcdab] }],
  [
    "int32",
    -2,
    { ABCD: [0xffff, 0xfffe], CDAB: [0xfffe, 0xffff], BADC: [0xffff, 0xfeff], DCBA: [0xfeff, 0xffff] },
  ],
  [
    "uint32",
    0x12345678,
    { ABCD: [0x1234, 0x5678], CDAB: [0x5678, 0x1234], BADC: [0x3412, 0x7856], DCBA: [0x7856, 0x3412] },
  ],
  [
    "float32",
    230,
    { ABCD: [0x4366, 0x0000], CDAB: [0x0000, 0x4366], BADC: [0x6643, 0x0000], DCBA: [0x0000, 0x6643] },
  ],
  [
    "int64",
    -2,
    {
      ABCD: [0xffff, 0xffff, 0xffff, 0xfffe],
      CDAB: [0xfffe, 0xffff, 0xffff, 0xffff],
      BADC: [0xffff, 0xffff, 0xffff, 0xfeff],
      DCBA: [0xfeff, 0xffff, 0xffff, 0xffff],
    },
  ],
  [
    "uint64",
    0x0102030405060700,
    {
      ABCD: [0x0102, 0x0304, 0x0506, 0x0700],
      CDAB: [0x0700, 0x0506, 0x0304, 0x0102],
      BADC: [0x0201, 0x0403, 0x0605, 0x0007],
      DCBA: [0x0007, 0x0605, 0x0403, 0x0201],
    },
  ],
  [
    "float64",
    230,
    {
      ABCD: [0x406c, 0xc000, 0x0000, 0x0000],
      CDAB: [0x0000, 0x0000, 0xc000, 0x406c],
      BADC: [0x6c40, 0x00c0, 0x0000, 0x0000],
      DCBA: [0x0000, 0x0000, 0x00c0, 0x6c40],
    },
  ],
];

describe("every type in every order", () => {
  for (const [type, value, byOrder] of cases) {
    for (const [order, words] of Object.entries(byOrder) as Array<[WordOrder, number[]]>) {
      it(`${type} ${value} ${order}`, () => {
        const p = point(type, order);
        expect(encodePointValue(p, value)).toEqual(words);
        expect(decodePointWords(p, words)).toBe(value);
      });
    }
  }

  for (const order of ["ABCD", "CDAB", "BADC", "DCBA"] as const) {
    it(`bool in a register sets only its bit, bytes laid out in the order (${order})`, () => {
      const p = point("bool", order, { register: { bit: 3 } });
      const swapped = order === "BADC" || order === "DCBA";
      expect(encodePointValue(p, true)).toEqual([swapped ? 0x0800 : 0x0008]);
      expect(encodePointValue(p, false)).toEqual([0x0000]);
      expect(decodePointWords(p, [swapped ? 0xf7ff : 0xfff7])).toBe(false);
      expect(decodePointWords(p, encodePointValue(p, true))).toBe(true);
    });
    it(`string is ASCII high byte first, zero padded, whatever the order (${order})`, () => {
      const p = point("string", order, { register: { length: 3 } });
      expect(encodePointValue(p, "ABC")).toEqual([0x4142, 0x4300, 0x0000]);
      expect(encodePointValue(p, "ABCDEFGH")).toEqual([0x4142, 0x4344, 0x4546]);
      expect(quantize(p, "ABCDEFGH")).toBe("ABCDEF");
      expect(decodePointWords(p, [0x4142, 0x4300, 0x0000])).toBe("ABC");
    });
  }

  it("coil and discrete are a single 0/1", () => {
    const coil = point("bool", "ABCD", { register: { table: "coil" } });
    const discrete = point("bool", "ABCD", { register: { table: "discrete" } });
    expect(encodePointValue(coil, true)).toEqual([1]);
    expect(encodePointValue(discrete, 0)).toEqual([0]);
    expect(encodePointValue(coil, "on")).toEqual([1]);
  });
});

describe("scale, offset, rounding and clamping", () => {
  it("applies raw = round((value - offset) / scale)", () => {
    const p = point("int16", "ABCD", { scale: 0.1, offset: -40 });
    expect(encodePointValue(p, 25)).toEqual([650]);
    expect(encodePointValue(p, 25.04)).toEqual([650]);
    expect(quantize(p, 25.04)).toBe(650 * 0.1 - 40);
  });
  it("does not round float types", () => {
    const p = point("float32", "ABCD", { scale: 0.5 });
    expect(encodePointValue(p, 1.25)).toEqual([0x4020, 0x0000]); // raw 2.5
    expect(quantize(point("float32"), 0.1)).toBe(Math.fround(0.1));
    expect(quantize(point("float64"), 0.1)).toBe(0.1);
  });
  it("clamps integers to the type", () => {
    expect(encodePointValue(point("uint16"), 70000)).toEqual([0xffff]);
    expect(encodePointValue(point("uint16"), -5)).toEqual([0x0000]);
    expect(encodePointValue(point("int16"), -40000)).toEqual([0x8000]);
    expect(encodePointValue(point("int32"), 1e12)).toEqual([0x7fff, 0xffff]);
    expect(encodePointValue(point("int64"), Number.NEGATIVE_INFINITY)).toEqual([0x8000, 0, 0, 0]);
    expect(encodePointValue(point("uint32"), Number.NaN)).toEqual([0, 0]);
    expect(quantize(point("int16"), 1e9)).toBe(32767);
  });
  it("accepts numeric strings and booleans for numbers, rejects junk", () => {
    expect(encodePointValue(point("uint16"), "42")).toEqual([42]);
    expect(encodePointValue(point("uint16"), true)).toEqual([1]);
    expect(() => encodePointValue(point("uint16"), "volts")).toThrow(
      /'p' is uint16: "volts" is not a number/,
    );
    expect(() => encodePointValue(point("bool", "ABCD", { register: { bit: 0 } }), "maybe")).toThrow(
      /not a boolean/,
    );
  });
});
