import { describe, expect, it } from "vitest";
import { parseProfile } from "./load.js";

const profile = (points: string, models = "[{ id: 1, length: 66 }, { id: 160, length: 8, repeat: 20 }]") => `
id: acme/ss
vendor: Acme
model: any
protocols: [modbus-tcp]
source: { title: t, url: "https://example.com/x" }
sunspec: { models: ${models} }
points:
${points}`;

describe("SunSpec points", () => {
  it("take model and offset, a holding register placed when the chain is walked", () => {
    const p = parseProfile(
      profile(`  - { id: sn, name: SN, register: { model: 1, offset: 48, type: string, length: 16 } }
  - { id: dcv, name: DCV, register: { model: 160, repeat: 2, offset: 10, type: uint16 }, scaleFactor: dcv_sf }
  - { id: dcv_sf, name: DCV_SF, register: { model: 160, offset: 1, type: int16 } }
`),
      "acme/ss.yaml",
    );
    if (p.kind !== "modbus") throw new Error("not a Modbus profile");
    expect(p.sunspec?.bases).toEqual([40000, 50000, 0]);
    expect(p.points[1]?.register).toMatchObject({ table: "holding", model: 160, repeat: 2, offset: 10 });
  });

  it("say what is wrong: an unlisted model, a missing repeat, a point past its model, a bad factor", () => {
    const bad = profile(`  - { id: a, name: A, register: { model: 103, offset: 0, type: uint16 } }
  - { id: b, name: B, register: { model: 160, offset: 9, type: uint16 } }
  - { id: c, name: C, register: { model: 160, repeat: 1, offset: 19, type: uint32 } }
  - { id: e, name: E, register: { table: holding, address: 0, type: uint16 }, scaleFactor: a }
`);
    expect(() => parseProfile(bad, "acme/ss.yaml")).toThrow(
      new RegExp(
        [
          "points\\.0\\.register\\.model: model 103 is not in sunspec.models \\(1, 160\\)",
          "points\\.1\\.register\\.offset: ends at register 10 of model 160's fixed part, which has 8: give repeat",
          "points\\.2\\.register\\.offset: ends at register 21 of a repeating block, which has 20",
          "points\\.3\\.scaleFactor: 'a' must be an int16 point",
        ].join("[\\s\\S]*"),
      ),
    );
    const mixed = profile(`  - { id: d, name: D, register: { model: 1, offset: 0, address: 4, type: uint16 } }
  - { id: f, name: F, register: { table: holding, address: 1, offset: 2, type: uint16 } }
`);
    expect(() => parseProfile(mixed, "acme/ss.yaml")).toThrow(
      /points\.0\.register\.model: a SunSpec point gives model and offset, not address or ref[\s\S]*points\.1\.register\.offset: offset and repeat need model/,
    );
  });
});
