import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { type ConfigMigration, ConfigVersionError, migrateConfigDocument } from "./versions.js";

// Version 1 is the only released format so far; these steps exercise the mechanism as a
// future rename would use it.
const renameMaxSize: ConfigMigration = {
  to: 2,
  what: "buffer.maxSize is now buffer.maxBytes",
  up(doc) {
    const v = doc.getIn(["buffer", "maxSize"]);
    if (v === undefined) return;
    doc.deleteIn(["buffer", "maxSize"]);
    doc.setIn(["buffer", "maxBytes"], v);
  },
};

describe("config versions", () => {
  it("reads an older config through its migrations in memory and says what changed", () => {
    const doc = parseDocument(
      "version: 1\n# keep a day of readings\nbuffer:\n  maxSize: 500MB # small disk\n",
    );
    const { from, warnings } = migrateConfigDocument(doc, [renameMaxSize], 2);
    expect(from).toBe(1);
    expect(doc.toJS()).toEqual({ version: 2, buffer: { maxBytes: "500MB" } });
    expect(warnings.join("\n")).toMatch(/version 1 → 2: buffer.maxSize is now buffer.maxBytes/);
    expect(warnings.join("\n")).toMatch(/config migrate --config/);
    // The printed new form keeps the user's comments.
    expect(doc.toString()).toMatch(/# keep a day of readings/);
  });

  it("a current config passes untouched and without warnings", () => {
    const doc = parseDocument("version: 2\nbuffer:\n  maxBytes: 1GB\n");
    expect(migrateConfigDocument(doc, [renameMaxSize], 2)).toEqual({ from: 2, warnings: [] });
  });

  it("a config without a version is read as version 1, with a warning", () => {
    const doc = parseDocument("gateway: plant-1\n");
    const { warnings } = migrateConfigDocument(doc, [], 1);
    expect(warnings).toEqual([expect.stringMatching(/no 'version:' key; read as version 1/)]);
    expect(doc.toJS()).toEqual({ version: 1, gateway: "plant-1" });
  });

  it("refuses a config written for a newer Tidegate", () => {
    expect(() => migrateConfigDocument(parseDocument("version: 3\n"), [renameMaxSize], 2)).toThrow(
      /version 3, written for a newer Tidegate; this build reads versions up to 2/,
    );
  });

  it("refuses a version that is not a whole number", () => {
    expect(() => migrateConfigDocument(parseDocument("version: two\n"), [], 1)).toThrow(ConfigVersionError);
  });
});
