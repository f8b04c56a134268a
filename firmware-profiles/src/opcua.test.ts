import { describe, expect, it } from "vitest";
import { loadProfiles, parseProfile } from "./load.js";
import { type OpcuaProfile, opcuaReadingValue } from "./opcua.js";

const opcua = [...loadProfiles().values()].filter((p): p is OpcuaProfile => p.kind === "opcua");

describe("OPC UA profiles", () => {
  it("the bundled ones decode their testdata to the stated values", () => {
    expect(opcua.map((p) => p.id)).toContain("generic/opcua-machine");
    for (const p of opcua) {
      for (const t of p.testdata) {
        const point = p.points.find((pt) => pt.id === t.point);
        if (!point) throw new Error(`${p.id}: no point ${t.point}`);
        expect(opcuaReadingValue(point, t.variant), `${p.id} ${t.point}`).toEqual({ value: t.value });
      }
    }
  });

  const withPoints = (points: string) => `
kind: opcua
id: acme/press
vendor: Acme
model: Press
source: { title: t, url: "https://example.com/press" }
namespace: urn:acme:press
points:
${points}`;

  it("names a point whose block the source does not cite, as a Modbus profile does", () => {
    expect(() =>
      parseProfile(withPoints("  - { id: p, name: P, nodeId: s=Speed, block: drives }"), "acme/press.yaml"),
    ).toThrow(/at points\.0\.block: no block 'drives' in source.blocks \(has: none\)/);
  });
  it("needs exactly one of nodeId and browsePath", () => {
    expect(() => parseProfile(withPoints("  - { id: p, name: P }"), "acme/press.yaml")).toThrow(
      /at points\.0\.nodeId: give either nodeId or browsePath/,
    );
    expect(() =>
      parseProfile(withPoints("  - { id: p, name: P, nodeId: i=5, browsePath: A/B }"), "acme/press.yaml"),
    ).toThrow(/give either nodeId or browsePath/);
  });
  it("refuses a NodeId that carries a namespace index", () => {
    expect(() => parseProfile(withPoints("  - { id: p, name: P, nodeId: ns=3;s=Speed }"), "x.yaml")).toThrow(
      /at points\.0\.nodeId: expected i=<number>, s=<string>/,
    );
  });
  it("refuses an empty browse name", () => {
    expect(() => parseProfile(withPoints("  - { id: p, name: P, browsePath: A//B }"), "x.yaml")).toThrow(
      /at points\.0\.browsePath: browse names joined by '\/'/,
    );
  });

  const point = (over: object) =>
    (
      parseProfile(
        withPoints(`  - ${JSON.stringify({ id: "p", name: "P", nodeId: "i=1", ...over })}`),
        "x.yaml",
      ) as OpcuaProfile
    ).points[0] as OpcuaProfile["points"][number];

  it("says why a value does not fit the point, never a value", () => {
    expect(opcuaReadingValue(point({}), "12")).toEqual({ error: "not-a-number" });
    expect(opcuaReadingValue(point({}), [1, 2])).toEqual({ error: "array-without-index" });
    expect(opcuaReadingValue(point({ index: 3 }), new Float32Array(2))).toEqual({
      error: "index-out-of-range",
    });
    expect(opcuaReadingValue(point({ index: 0 }), 5)).toEqual({ error: "not-an-array" });
    expect(opcuaReadingValue(point({ type: "boolean" }), 1)).toEqual({ error: "not-a-boolean" });
    expect(opcuaReadingValue(point({ type: "datetime" }), "soon")).toEqual({ error: "not-a-datetime" });
  });
  it("reads typed arrays, 64-bit integers and Date objects as the server library gives them", () => {
    expect(opcuaReadingValue(point({ index: 1 }), Float64Array.from([1, 2.5]))).toEqual({ value: 2.5 });
    expect(opcuaReadingValue(point({}), 7n)).toEqual({ value: 7 });
    expect(opcuaReadingValue(point({ type: "datetime" }), new Date(1000))).toEqual({ value: 1000 });
  });
});
