import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadSites } from "./sites.js";

const dir = mkdtempSync(join(tmpdir(), "tidegate-sites-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

describe("sites file", () => {
  it("maps each gateway to its site", () => {
    const f = file(
      "ok.yaml",
      'sites:\n  "Plant Nord": [plant-1-line-1, plant-1-line-2]\n  Harbour: [harbour-1]\n',
    );
    expect(loadSites(f)).toEqual({
      "plant-1-line-1": "Plant Nord",
      "plant-1-line-2": "Plant Nord",
      "harbour-1": "Harbour",
    });
  });
  it("names the file, the path and what is wrong", () => {
    const twice = file("twice.yaml", "sites:\n  A: [gw-1]\n  B: [gw-1]\n");
    expect(() => loadSites(twice)).toThrow(
      /twice\.yaml: invalid sites file\n {2}at sites\.B\.0: gateway gw-1 is already in site 'A'/,
    );
    const bad = file("bad.yaml", "sites:\n  A: [Not A Gateway]\n");
    expect(() => loadSites(bad)).toThrow(/at sites\.A\.0: /);
    expect(() => loadSites(join(dir, "missing.yaml"))).toThrow(/missing\.yaml: cannot read the sites file/);
  });
});
