import { describe, expect, it } from "vitest";
import { pointDecimals } from "./resolution.js";

describe("pointDecimals", () => {
  it("takes the profile's decimals first", () => {
    expect(pointDecimals({ decimals: 2, scale: 1, register: { type: "float32" } })).toBe(2);
    expect(pointDecimals({ decimals: 0 })).toBe(0);
  });

  it("derives the digits an integer register's scale can resolve", () => {
    expect(pointDecimals({ scale: 1, register: { type: "uint16" } })).toBe(0);
    expect(pointDecimals({ scale: 0.1, register: { type: "int16" } })).toBe(1);
    expect(pointDecimals({ scale: 0.01, register: { type: "uint32" } })).toBe(2);
    expect(pointDecimals({ scale: 0.25, register: { type: "uint16" } })).toBe(2);
    expect(pointDecimals({ scale: 10, register: { type: "uint16" } })).toBe(0);
    expect(pointDecimals({ scale: 1, register: { type: "bool" } })).toBe(0);
  });

  it("leaves floats and text-parsed points without decimals undecided", () => {
    expect(pointDecimals({ scale: 1, register: { type: "float32" } })).toBeUndefined();
    expect(pointDecimals({ scale: 0.1 })).toBeUndefined();
  });
});
