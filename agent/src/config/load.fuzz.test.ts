import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { findBundledProfilesDir } from "@tidegate/profiles";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { damagedText, hostileText, mutated, oddValue } from "../../../test/helpers/fuzz.js";
import { ConfigError, loadConfigFile, parseConfig } from "./load.js";

const dir = mkdtempSync(join(tmpdir(), "tidegate-config-fuzz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FILE = join(dir, "agent.yaml");
// Only the profile the example uses: loading all bundled profiles on every run would dominate the time.
const profilesDirs = [join(dir, "profiles")];
mkdirSync(profilesDirs[0] as string);
copyFileSync(join(findBundledProfilesDir(), "eastron/sdm120.yaml"), join(dir, "profiles/sdm120.yaml"));
const example = readFileSync(fileURLToPath(new URL("../../config.example.yaml", import.meta.url)), "utf8");
const exampleData = parse(example) as unknown;

/** Either a config, or a ConfigError that names the file (and, for a wrong value, where it is). */
function readsOrExplains(read: () => unknown): void {
  let result: unknown;
  try {
    result = read();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message.startsWith(`${FILE}: `)).toBe(true);
    if (message.includes("invalid config")) expect(message).toMatch(/\n {2}at \S+/);
    return;
  }
  expect(result).toMatchObject({ file: FILE, config: { devices: expect.any(Array) } });
}

/** YAML pieces the emitter never writes but a hand-edited file may hold. */
const yamlPiece = fc.constantFrom(
  "&a ",
  "*a",
  "<<: *a\n",
  "!!binary aGk=",
  "!!set {a}",
  "!foo ",
  "? [a]\n: b\n",
  "---\n",
  "...\n",
  "%YAML 1.2\n",
  "'",
  '"',
  "[",
  "{",
  "- ",
  ": ",
  "\t",
  "\n  ",
  "#",
  "|\n  x\n",
  "@",
  "`",
);

// Generous: the runs are bounded, but a busy CI machine may be slow.
describe("config loader (fuzzed)", { timeout: 30_000 }, () => {
  it("reads or explains mutated copies of the shipped example", () => {
    fc.assert(
      fc.property(mutated(exampleData), (data) => {
        readsOrExplains(() => parseConfig(stringify(data), FILE, { profilesDirs }));
      }),
      { numRuns: 150 },
    );
  });

  it("reads or explains random YAML documents and garbage text", () => {
    const text = fc.oneof(
      fc.dictionary(fc.string({ maxLength: 10 }), oddValue()).map((d) => stringify(d)),
      fc.array(fc.oneof(yamlPiece, fc.string({ maxLength: 6 })), { maxLength: 30 }).map((p) => p.join("")),
      damagedText(example),
      hostileText(),
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString("latin1")),
    );
    fc.assert(
      fc.property(text, (t) => readsOrExplains(() => parseConfig(t, FILE, { profilesDirs }))),
      { numRuns: 300 },
    );
  });

  it("reads or explains YAML that uses anchors and aliases", () => {
    // Aliases can multiply a document (a billion laughs) or make it contain itself.
    const doc = fc
      .tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.boolean())
      .map(([width, depth, selfRef]) => {
        const lines = ["version: 1", `l0: &l0 [${Array(width).fill("x").join(", ")}]`];
        for (let i = 1; i < depth; i++)
          lines.push(
            `l${i}: &l${i} [${Array(width)
              .fill(`*l${i - 1}`)
              .join(", ")}]`,
          );
        if (selfRef) lines.push("devices: &d\n  - id: a\n    profile: *d");
        return lines.join("\n");
      });
    fc.assert(
      fc.property(doc, (t) => readsOrExplains(() => parseConfig(t, FILE, { profilesDirs }))),
      { numRuns: 40 },
    );
  });

  it("reads or explains any bytes in a config file", () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 400 }),
      damagedText(example).map((t) => Buffer.from(t)),
      mutated(exampleData).map((d) => Buffer.from(stringify(d))),
    );
    fc.assert(
      fc.property(bytes, (b) => {
        writeFileSync(FILE, b);
        readsOrExplains(() => loadConfigFile(FILE, { profilesDirs }));
      }),
      { numRuns: 60 },
    );
  });
});
