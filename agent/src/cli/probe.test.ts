import { pointSchema } from "@tidegate/profiles";
import { describe, expect, it } from "vitest";
import { describePoint } from "./probe.js";

describe("the decode assistant", () => {
  it("shows a float32 in every byte/word order with the profile line for each, marking the profile's", () => {
    const point = pointSchema.parse({
      id: "voltage",
      name: "Voltage",
      unit: "V",
      register: { table: "input", address: 0, type: "float32", order: "CDAB" },
    });
    // 230.5 as ABCD words 0x4366 0x8000; a CDAB profile reads them swapped.
    const lines = describePoint(point, [0x8000, 0x4366]);
    expect(lines[0]).toMatch(/^voltage\s+230\.5 V\s+\[8000 4366\]$/);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {2}\* CDAB {2}230\.5\s+register: \{ table: input, address: 0, type: float32, order: CDAB \}$/,
      ),
    );
    expect(lines.filter((l) => /^ {2}[ *] (ABCD|DCBA|BADC|CDAB) /.test(l))).toHaveLength(4);
  });

  it("shows a single register once", () => {
    const point = pointSchema.parse({
      id: "t",
      name: "T",
      register: { table: "input", address: 1, type: "int16" },
      scale: 0.1,
    });
    expect(describePoint(point, [215])).toEqual(["t                    21.5   [00d7]"]);
  });
});
