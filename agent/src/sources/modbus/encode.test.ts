import { type PointSpec, pointSchema, type RegisterType, type WordOrder } from "@tidegate/profiles";
import { describe, expect, it } from "vitest";
import { decodePoint } from "./decode.js";
import { EncodeError, encodePoint } from "./encode.js";

function point(
  type: RegisterType,
  order: WordOrder = "ABCD",
  extra: Record<string, unknown> = {},
): PointSpec {
  const { register, ...rest } = extra as { register?: Record<string, unknown> };
  return pointSchema.parse({
    id: "p",
    name: "P",
    access: "readwrite",
    register: { table: "holding", address: 0, type, order, ...register },
    ...rest,
  });
}

const ORDERS: WordOrder[] = ["ABCD", "CDAB", "BADC", "DCBA"];

// Written out by hand from the value's big-endian bytes (A most significant), not by the decoder.
const handWritten: Array<[RegisterType, number, Record<WordOrder, number[]>]> = [
  [
    "float32",
    -123.25, // 0xC2F68000
    { ABCD: [0xc2f6, 0x8000], CDAB: [0x8000, 0xc2f6], BADC: [0xf6c2, 0x0080], DCBA: [0x0080, 0xf6c2] },
  ],
  [
    "float32",
    1.5, // 0x3FC00000
    { ABCD: [0x3fc0, 0x0000], CDAB: [0x0000, 0x3fc0], BADC: [0xc03f, 0x0000], DCBA: [0x0000, 0xc03f] },
  ],
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
  ["int16", -300, { ABCD: [0xfed4], CDAB: [0xfed4], BADC: [0xd4fe], DCBA: [0xd4fe] }],
];

describe("encodePoint", () => {
  for (const [type, value, byOrder] of handWritten)
    for (const order of ORDERS)
      it(`${type} ${value} in ${order} gives the words a device in that order holds`, () => {
        expect(encodePoint(point(type, order), value)).toEqual(byOrder[order]);
      });

  it("round-trips through decodePoint for every numeric type and order, scale and offset included", () => {
    const values: Array<[RegisterType, number]> = [
      ["int16", -32768],
      ["uint16", 65535],
      ["int32", -2_000_000_000],
      ["uint32", 4_000_000_000],
      ["int64", -9_007_199_254_740_991],
      ["uint64", 9_007_199_254_740_991],
      ["float64", Math.PI],
    ];
    for (const order of ORDERS) {
      for (const [type, value] of values) {
        const p = point(type, order);
        expect(decodePoint(p, encodePoint(p, value)), `${type} ${order}`).toBe(value);
      }
      const scaled = point("int16", order, { scale: 0.1, offset: -40 });
      expect(decodePoint(scaled, encodePoint(scaled, 25.3))).toBe(25.3);
    }
  });

  it("writes a coil as one bit", () => {
    const coil = point("bool", "ABCD", { register: { table: "coil" } });
    expect(encodePoint(coil, true)).toEqual([1]);
    expect(encodePoint(coil, false)).toEqual([0]);
  });

  it("changes only its own bit of a register, counted after the byte order", () => {
    const abcd = point("bool", "ABCD", { register: { bit: 3 } });
    expect(encodePoint(abcd, true, [0x8001])).toEqual([0x8009]);
    expect(encodePoint(abcd, false, [0xffff])).toEqual([0xfff7]);
    const swapped = point("bool", "BADC", { register: { bit: 3 } });
    // Bit 3 of the logical register is in its low byte, which a byte-swapping device sends first.
    expect(encodePoint(swapped, true, [0x0000])).toEqual([0x0800]);
    expect(decodePoint(swapped, [0x0800])).toBe(true);
  });

  it("refuses values outside min/max, of the wrong type, or between two steps", () => {
    const limited = point("uint16", "ABCD", { min: 1, max: 247 });
    expect(() => encodePoint(limited, 0)).toThrow(/below its minimum 1/);
    expect(() => encodePoint(limited, 248)).toThrow(/above its maximum 247/);
    expect(() => encodePoint(limited, "5")).toThrow(EncodeError);
    expect(() => encodePoint(point("uint16", "ABCD", { scale: 0.1 }), 25.05)).toThrow(/whole step of 0.1/);
    expect(() => encodePoint(point("uint16"), -1)).toThrow(/outside the uint16 range/);
    expect(() => encodePoint(point("float32"), 1e39)).toThrow(/does not fit a float32/);
    expect(() => encodePoint(point("bool", "ABCD", { register: { bit: 0 } }), true)).toThrow(/current value/);
    expect(() => encodePoint(point("string", "ABCD", { register: { length: 2 } }), "ab")).toThrow(
      /not supported/,
    );
  });
});
