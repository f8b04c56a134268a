import { type LineProfile, loadProfiles, parseProfile } from "@tidegate/profiles";
import { describe, expect, it } from "vitest";
import { lineToReadings } from "./parse.js";

const lineProfiles = [...loadProfiles().values()].filter((p): p is LineProfile => p.kind === "serial-line");

describe("bundled serial-line profiles", () => {
  it("include a GPS and a scale", () => {
    expect(lineProfiles.map((p) => p.id)).toEqual(
      expect.arrayContaining(["u-blox/neo-6m", "mettler-toledo/mt-sics"]),
    );
  });

  for (const profile of lineProfiles) {
    it(`${profile.id}: every testdata line reads as the manual says`, () => {
      expect(profile.testdata.length).toBeGreaterThanOrEqual(3);
      for (const { line, values } of profile.testdata) {
        const result = lineToReadings(profile, profile.points, line, { device: "d", ts: 1 });
        const readings = "readings" in result ? result.readings : [];
        const good = readings.filter((r) => r.quality === "good");
        for (const r of good) expect(Number.isNaN(r.value), `${line}: ${r.point}`).toBe(false);
        for (const [point, expected] of Object.entries(values)) {
          const r = readings.find((x) => x.point === point);
          expect(r, `${line}: no reading for ${point}`).toBeDefined();
          if (expected === null) expect(r?.quality, `${line}: ${point}`).toBe("bad");
          else if (typeof expected === "number")
            expect(r?.value as number, `${line}: ${point}`).toBeCloseTo(expected, 6);
          else expect(r?.value, `${line}: ${point}`).toBe(expected);
        }
        // A line listed without values must not yield any: it documents what the device prints that is not data.
        if (Object.keys(values).length === 0) expect(good, line).toEqual([]);
      }
    });
  }
});

describe("serial-line profile validation", () => {
  const head = `
kind: serial-line
id: acme/x
vendor: Acme
model: X
source: { title: t, url: "https://example.com/x.pdf" }
`;
  it("checks that every point's field exists in the format", () => {
    expect(() =>
      parseProfile(
        `${head}format: { type: csv, columns: [a, b] }\npoints: [{ id: p, name: P, field: c }]`,
        "x.yaml",
      ),
    ).toThrow(/points\.0\.field: no column 'c'/);
    expect(() =>
      parseProfile(
        `${head}format: { type: regex, pattern: "^(?<w>\\\\d+)$" }\npoints: [{ id: p, name: P, field: v }]`,
        "x.yaml",
      ),
    ).toThrow(/points\.0\.field: no named group/);
    expect(() =>
      parseProfile(
        `${head}format: { type: nmea, sentences: [GGA] }\npoints: [{ id: p, name: P, field: RMC.7 }]`,
        "x.yaml",
      ),
    ).toThrow(/sentence RMC is not in format.sentences/);
    expect(() =>
      parseProfile(
        `${head}format: { type: nmea, sentences: [GGA] }\npoints: [{ id: p, name: P, field: GGA }]`,
        "x.yaml",
      ),
    ).toThrow(/expected <sentence>.<field number>/);
  });
  it("rejects a bad pattern, options on the wrong point, and testdata or templates naming unknown points", () => {
    expect(() =>
      parseProfile(
        `${head}format: { type: regex, pattern: "(" }\npoints: [{ id: p, name: P, field: p }]`,
        "x.yaml",
      ),
    ).toThrow(/format\.pattern: not a valid regular expression/);
    expect(() =>
      parseProfile(
        `${head}format: { type: csv, columns: [a] }\npoints: [{ id: p, name: P, field: a, nmea: latitude }]`,
        "x.yaml",
      ),
    ).toThrow(/points\.0\.nmea: nmea latitude\/longitude needs format nmea/);
    expect(() =>
      parseProfile(
        `${head}format: { type: csv, columns: [a] }\npoints: [{ id: p, name: P, field: a, boolText: { true: Y, false: N } }]`,
        "x.yaml",
      ),
    ).toThrow(/boolText needs type bool/);
    expect(() =>
      parseProfile(
        `${head}format: { type: csv, columns: [a] }\npoints: [{ id: p, name: P, field: a }]\ntestdata: [{ line: "1", values: { q: 1 } }]`,
        "x.yaml",
      ),
    ).toThrow(/testdata\.0\.values\.q: no point 'q'/);
    expect(() =>
      parseProfile(
        `${head}format: { type: regex, pattern: "^(?<a>.*)$", simulateLine: "{b}" }\npoints: [{ id: p, name: P, field: a }]`,
        "x.yaml",
      ),
    ).toThrow(/format\.simulateLine: no point 'b'/);
  });
});
