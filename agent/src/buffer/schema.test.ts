import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrateSync } from "@tidegate/node-kit";
import { encodeBatch, encodeBatchColumns, type Reading, type SequencedReading } from "@tidegate/protocol";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openBuffer } from "./buffer.js";
import { upgradeBufferFile } from "./open-file.js";
import { bufferSchema } from "./schema.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-schema-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const at = 1_700_000_000_000;
const values: Reading["value"][] = [
  230.5,
  0.1 + 0.2,
  -1.5e-7,
  1e21,
  Number.MAX_SAFE_INTEGER,
  -42,
  0,
  2 ** -1074,
  true,
  false,
  "auto",
  'AB,12 "x" \\ ü 🚀\n',
  "\ud800 lone",
  "123", // a string that looks like a number stays a string
  "",
  null,
];
const readings: Reading[] = values.map((value, i) => ({
  ts: at + i * 100,
  device: i % 2 ? "meter-1" : "th-2",
  point: `p${i % 5}`,
  value,
  quality: value === null ? "bad" : "good",
  ...(value === null ? { reason: "timeout, 1000 ms" } : {}),
}));

/** A buffer file as schema version 3 left it: every value as its JSON text, seqs 1…acked sent and pruned. */
function writeVersion3(path: string, acked: number): void {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    migrateSync(db, { ...bufferSchema, migrations: bufferSchema.migrations.slice(0, 3) }, path);
    const insert = db.prepare(
      "INSERT INTO readings (seq, ts, device, point, value, quality, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    db.transaction(() => {
      readings.forEach((r, i) => {
        const seq = i + 1;
        if (seq <= acked) return;
        const value = r.value === null ? null : JSON.stringify(r.value);
        insert.run(seq, r.ts, r.device, r.point, value, r.quality === "bad" ? 1 : 0, r.reason ?? null);
      });
      db.prepare("UPDATE meta SET value = ? WHERE key = 'last_seq'").run(readings.length);
      db.prepare("UPDATE meta SET value = ? WHERE key = 'acked_seq'").run(acked);
      db.prepare("INSERT INTO commits (seq, at) VALUES (1, ?)").run(Date.now());
    })();
  } finally {
    db.close();
  }
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const sequenced = (from: number): SequencedReading[] =>
  readings.slice(from).map((r, i) => ({ ...r, seq: from + i + 1 }));

describe("buffer schema version 4: numbers in a REAL column", () => {
  it("migrates an old file's unsent readings, each once, to the same batch bytes", async () => {
    const path = join(dir, "b.db");
    writeVersion3(path, 3);
    const logged: string[] = [];
    await upgradeBufferFile(path, { log: (m) => logged.push(m) });
    expect(logged.join("\n")).toMatch(/from schema version 3 to 4/);

    const buf = openBuffer({ path, commitIntervalMs: 0 });
    try {
      expect(buf.stats()).toMatchObject({
        backlog: readings.length - 3,
        lastSeq: readings.length,
        lastAckedSeq: 3,
      });
      // What version 3 sent is encodeBatch of its rows (run-reader.test.ts holds that); after the
      // upgrade the same range goes out byte for byte the same.
      const run = buf.readRun(0, 100);
      if (!run) throw new Error("the upgraded file has no unsent run");
      expect([run.first, run.last]).toEqual([4, readings.length]);
      expect(text(encodeBatchColumns("plant-7", run, 0))).toBe(text(encodeBatch("plant-7", sequenced(3), 0)));

      // New readings continue the seq: nothing reused, nothing sent twice.
      buf.markSent(run.first, run.last);
      buf.append([{ ts: at + 5000, device: "meter-1", point: "p0", value: 1.25, quality: "good" }]);
      expect(buf.readRun(run.last, 100)).toMatchObject({
        first: readings.length + 1,
        last: readings.length + 1,
      });
    } finally {
      buf.close();
    }
  });

  it("keeps each number as the exact double and other values as their JSON", async () => {
    const path = join(dir, "b.db");
    writeVersion3(path, 0);
    await upgradeBufferFile(path, {});
    const fresh = join(dir, "fresh.db");
    const buf = openBuffer({ path: fresh, commitIntervalMs: 0 });
    buf.append(readings);
    buf.close();
    for (const file of [path, fresh]) {
      const db = new Database(file, { readonly: true });
      try {
        const rows = db.prepare("SELECT num, value FROM readings ORDER BY seq").all() as {
          num: number | null;
          value: string | null;
        }[];
        expect(rows.map((r) => r.num ?? (r.value === null ? null : JSON.parse(r.value)))).toEqual(values);
        rows.forEach((r, i) => {
          if (typeof values[i] === "number")
            expect(Object.is(r.num, values[i]), `${file} row ${i}`).toBe(true);
          else expect(r.num).toBeNull();
        });
      } finally {
        db.close();
      }
    }
  });

  it("refuses to rewrite an old file on a plain open, pointing at the upgrade", () => {
    const path = join(dir, "b.db");
    writeVersion3(path, 0);
    expect(() => openBuffer({ path, commitIntervalMs: 0 })).toThrow(/schema version 3.*rewrites tables/);
  });
});
