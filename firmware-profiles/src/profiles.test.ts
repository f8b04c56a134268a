import { readdirSync, readFileSync } from "node:fs";
import { join, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { profileJsonSchema } from "./json-schema.js";
import { findBundledProfilesDir, loadProfiles, parseProfile } from "./load.js";
import { pointSchema } from "./schema.js";

/** `<vendor>/<model>` for every YAML file under `dir`: a profile's id is its path without extension. */
function yamlIds(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => /\.ya?ml$/.test(f) && !f.startsWith("node_modules"))
    .map((f) =>
      f
        .replace(/\.ya?ml$/, "")
        .split(sep)
        .join("/"),
    )
    .sort();
}

describe("bundled profiles", () => {
  const profiles = loadProfiles();
  it("all load and validate, each under the id its path gives", () => {
    const files = yamlIds(findBundledProfilesDir());
    expect([...profiles.keys()].sort()).toEqual(files);
    expect(files).toEqual(expect.arrayContaining(["eastron/sdm120", "sonbest/xy-md02", "eastron/sdm630"]));
  });
  it("each names its public source and carries testdata", () => {
    for (const p of profiles.values()) {
      expect(p.source.url).toMatch(/^https:\/\//);
      expect(p.testdata.length).toBeGreaterThan(0);
    }
  });
  it("cite the document's block of every point, its version, and say what they left out", () => {
    const all = [...profiles.values()];
    const uncited = all.flatMap((p) =>
      p.points.filter((pt) => pt.block === undefined).map((pt) => `${p.id} ${pt.id}`),
    );
    expect(uncited).toEqual([]);
    expect(all.filter((p) => !p.source.version || !p.source.omitted).map((p) => p.id)).toEqual([]);
  });
  it("are all listed in docs/device-library.md", () => {
    const doc = readFileSync(join(findBundledProfilesDir(), "..", "docs", "device-library.md"), "utf8");
    expect([...profiles.keys()].filter((id) => !doc.includes(`| \`${id}\` |`))).toEqual([]);
    // The count the page states is the library's, and the issue's floor of 40 holds.
    expect(doc).toContain(`\n${profiles.size} profiles: `);
    expect(profiles.size).toBeGreaterThanOrEqual(40);
  });
  it("the committed JSON Schema matches the zod schema", () => {
    const committed = JSON.parse(readFileSync(join(findBundledProfilesDir(), "profile.schema.json"), "utf8"));
    expect(committed).toEqual(profileJsonSchema());
  });
});

describe("profile validation", () => {
  /** A profile of acme/x whose points (and what follows them) are `rest`. */
  const withPoints = (rest: string) => `
id: acme/x
vendor: Acme
model: X
protocols: [modbus-tcp]
source: { title: t, url: "https://example.com/x.pdf" }
points:
${rest}`;

  it("names the file and the path of a wrong field", () => {
    const bad = withPoints(`  - id: p
    name: P
    register: { table: coil, address: 3, type: float32 }
`);
    expect(() => parseProfile(bad, "acme/x.yaml")).toThrow(
      /acme\/x\.yaml: invalid device profile\n\s+at points\.0\.register\.type: a coil holds one bit/,
    );
  });
  it("refuses a point id outside the safe alphabet of NATS subjects and URLs", () => {
    const bad = withPoints(
      "  - { id: p.1, name: P, register: { table: holding, address: 0, type: uint16 } }\n",
    );
    expect(() => parseProfile(bad, "x.yaml")).toThrow(
      /at points\.0\.id: use letters, digits, '_' and '-' only/,
    );
  });
  it("rejects testdata for an unknown point", () => {
    const bad = withPoints(`  - { id: p, name: P, register: { table: holding, address: 0, type: uint16 } }
testdata:
  - { point: q, raw: [1], value: 1 }
`);
    expect(() => parseProfile(bad, "x.yaml")).toThrow(/testdata\.0\.point: no point 'q'/);
  });
});

describe("citations per block", () => {
  const profile = (source: string, block: string) => `
id: acme/x
vendor: Acme
model: X
protocols: [modbus-tcp]
source:
${source}
points:
  - { id: p, name: P, block: ${block}, register: { ref: "30001", type: float32 } }
`;
  const source = `  title: "Acme X Modbus map"
  version: "V1.2"
  url: "https://example.com/x.pdf"
  blocks: { inputs: "p. 4, table 2 (input registers)" }
  omitted: "factory calibration registers: undocumented"`;

  it("keeps the document's version, its blocks and what was left out", () => {
    const p = parseProfile(profile(source, "inputs"), "acme/x.yaml");
    expect(p.source).toMatchObject({
      version: "V1.2",
      blocks: { inputs: "p. 4, table 2 (input registers)" },
    });
    expect(p.points[0]?.block).toBe("inputs");
  });
  it("names the point whose block the source does not cite", () => {
    expect(() => parseProfile(profile(source, "holding"), "acme/x.yaml")).toThrow(
      /at points\.0\.block: no block 'holding' in source.blocks \(has: inputs\)/,
    );
  });
});

describe("manual register references", () => {
  const point = (register: Record<string, unknown>) =>
    pointSchema.safeParse({ id: "p", name: "p", register: { type: "uint16", ...register } });

  it("converts the manual's 4xxxx/3xxxx notation to table and 0-based address", () => {
    expect(point({ ref: "40001" }).data?.register).toMatchObject({ table: "holding", address: 0 });
    expect(point({ ref: "30013" }).data?.register).toMatchObject({ table: "input", address: 12 });
    expect(point({ ref: "465536" }).data?.register).toMatchObject({ table: "holding", address: 65535 });
    expect(point({ ref: "00001", type: "bool" }).data?.register).toMatchObject({ table: "coil", address: 0 });
  });

  it("says what is wrong with a reference", () => {
    expect(point({ ref: "50001" }).error?.issues[0]?.message).toMatch(/not a manual reference/);
    expect(point({ ref: "40001", table: "input" }).error?.issues[0]?.message).toMatch(
      /ref 40001 is a holding reference, but table says input/,
    );
    expect(point({ ref: "40001", address: 3, table: "holding" }).error?.issues[0]?.message).toMatch(
      /either address or ref/,
    );
    expect(point({ type: "uint16" }).error?.issues[0]?.message).toMatch(/needs table and address/);
  });
});
