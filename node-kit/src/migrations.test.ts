import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  hasTable,
  migrateSync,
  planMigrations,
  SchemaError,
  type SchemaSpec,
  upgradeBackupPath,
  upgradeDatabase,
} from "./migrations.js";

const spec: SchemaSpec = {
  name: "test store",
  migrations: [
    { version: 1, description: "items", up: "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)" },
    { version: 2, description: "colour", up: "ALTER TABLE items ADD COLUMN colour TEXT DEFAULT 'blue'" },
    {
      version: 3,
      description: "rename items to things",
      rewrites: true,
      up: "CREATE TABLE things AS SELECT id, name, colour FROM items; DROP TABLE items;",
    },
  ],
  legacyVersion: (db) => (hasTable(db, "items") ? 1 : 0),
};
const upTo = (n: number): SchemaSpec => ({ ...spec, migrations: spec.migrations.slice(0, n) });

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-migrations-"));
  file = join(dir, "store.db");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function upgrade(target: SchemaSpec, log?: (m: string) => void) {
  const db = new Database(file);
  try {
    return await upgradeDatabase(db, target, file, { log });
  } finally {
    db.close();
  }
}

function withDb<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(file);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

describe("migrations", () => {
  it("builds a new file with every step and stamps the version", () => {
    withDb((db) => {
      const plan = migrateSync(db, spec, file);
      expect(plan).toMatchObject({ from: 0, to: 3, needsBackup: false });
      expect(db.pragma("user_version", { simple: true })).toBe(3);
      expect(hasTable(db, "things")).toBe(true);
    });
  });

  it("carries an older file forward and keeps its rows", async () => {
    withDb((db) => {
      migrateSync(db, upTo(1), file);
      db.prepare("INSERT INTO items (name) VALUES ('pump'), ('valve')").run();
    });
    const logs: string[] = [];
    await upgrade(spec, (m) => logs.push(m));
    withDb((db) => {
      expect(db.pragma("user_version", { simple: true })).toBe(3);
      expect(db.prepare("SELECT name, colour FROM things ORDER BY id").all()).toEqual([
        { name: "pump", colour: "blue" },
        { name: "valve", colour: "blue" },
      ]);
    });
    expect(logs.join("\n")).toMatch(/copying the test store to .*upgrade-backup/);
    expect(logs.join("\n")).toMatch(/schema version 3: rename items to things/);
    // The copy is kept only until the upgrade has committed.
    expect(existsSync(upgradeBackupPath(file))).toBe(false);
  });

  it("adopts a file written before versioning from its shape", () => {
    withDb((db) => {
      db.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)");
      db.prepare("INSERT INTO items (name) VALUES ('pump')").run();
      expect(planMigrations(db, upTo(2), file)).toMatchObject({ from: 1, to: 2 });
      migrateSync(db, upTo(2), file);
      expect(db.prepare("SELECT name, colour FROM items").all()).toEqual([{ name: "pump", colour: "blue" }]);
    });
  });

  it("refuses a file from a newer version and leaves it untouched", () => {
    withDb((db) => migrateSync(db, spec, file));
    const before = readFileSync(file);
    withDb((db) => {
      expect(() => migrateSync(db, upTo(2), file)).toThrow(SchemaError);
      expect(() => migrateSync(db, upTo(2), file)).toThrow(
        /schema version 3, written by a newer Tidegate.*up to 2/,
      );
    });
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it("will not rewrite tables of a file holding data without the copy", () => {
    withDb((db) => migrateSync(db, upTo(2), file));
    withDb((db) => expect(() => migrateSync(db, spec, file)).toThrow(/copies the file aside first/));
  });

  it("a failing step rolls back alone: earlier steps stay, the next start carries on", async () => {
    withDb((db) => migrateSync(db, upTo(1), file));
    const broken: SchemaSpec = {
      ...spec,
      migrations: [
        ...spec.migrations.slice(0, 2),
        {
          version: 3,
          description: "fails half way",
          rewrites: true,
          up: "CREATE TABLE things (id); SELECT nope FROM missing;",
        },
      ],
    };
    await expect(upgrade(broken)).rejects.toThrow(/no such table: missing/);
    withDb((db) => {
      expect(db.pragma("user_version", { simple: true })).toBe(2);
      expect(hasTable(db, "things")).toBe(false);
    });
    // The copy of the version-1 file survives the failed run.
    expect(existsSync(upgradeBackupPath(file))).toBe(true);
    await upgrade(spec);
    withDb((db) => expect(db.pragma("user_version", { simple: true })).toBe(3));
    expect(existsSync(upgradeBackupPath(file))).toBe(false);
  });

  it("keeps a copy left by an interrupted upgrade instead of overwriting it", async () => {
    withDb((db) => migrateSync(db, upTo(2), file));
    writeFileSync(upgradeBackupPath(file), "older copy");
    const logs: string[] = [];
    await upgrade(spec, (m) => logs.push(m));
    expect(logs.join("\n")).toMatch(/keeping the copy .* left by an interrupted upgrade/);
  });

  it("rejects a migration list with a gap", () => {
    const gap: SchemaSpec = { name: "gap", migrations: [{ ...spec.migrations[0], version: 2 } as never] };
    withDb((db) => expect(() => migrateSync(db, gap, file)).toThrow(/expected 1/));
  });
});
