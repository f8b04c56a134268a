import { existsSync, renameSync } from "node:fs";
import { migrateSync, type UpgradeOptions, upgradeDatabase } from "@tidegate/node-kit";
import Database from "better-sqlite3";
import { bufferSchema } from "./schema.js";

export interface CorruptFileRecovery {
  movedTo: string;
  /** What could still be read from the corrupt file's meta rows, so seqs continue without reuse. */
  lastSeq: number | undefined;
  ackedSeq: number | undefined;
  epoch: number | undefined;
  reason: string;
}

function readMeta(path: string): { lastSeq?: number; ackedSeq?: number; epoch?: number } {
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      const get = (key: string) =>
        (db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: number } | undefined)?.value;
      return { lastSeq: get("last_seq"), ackedSeq: get("acked_seq"), epoch: get("epoch") };
    } finally {
      db.close();
    }
  } catch {
    return {};
  }
}

function check(path: string, synchronous: string): Database.Database {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${synchronous}`);
    // better-sqlite3 builds SQLite with a 16 MB page cache per connection, which a backlog fills
    // and keeps for good; SQLite's own default (2 MB) holds the pages in use (the tail written,
    // the head sent, the inner B-tree pages) and the OS file cache serves the rest.
    db.pragma("cache_size = -2048");
    const result = db.pragma("quick_check", { simple: true });
    if (result !== "ok") throw new Error(`integrity check failed: ${String(result)}`);
    migrateSync(db, bufferSchema, path);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function isCorruption(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? "";
  return (
    /CORRUPT|NOTADB/.test(code) ||
    /integrity check failed|malformed|not a database/i.test((err as Error).message)
  );
}

/**
 * Brings an existing buffer file to the current schema before the agent opens it, copying it
 * aside first when a step rewrites tables. A corrupt file is left to `openBufferFile`, which
 * moves it aside and raises the alarm.
 */
export async function upgradeBufferFile(path: string, options: UpgradeOptions): Promise<void> {
  if (path === ":memory:" || !existsSync(path)) return;
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (err) {
    if (isCorruption(err)) return;
    throw err;
  }
  try {
    db.pragma("journal_mode = WAL");
    await upgradeDatabase(db, bufferSchema, path, options);
  } catch (err) {
    if (!isCorruption(err)) throw err;
  } finally {
    db.close();
  }
}

/**
 * Opens the buffer file after an integrity check. A corrupt file is moved aside, never deleted
 * (someone may want to salvage it), and a new file is started; the caller raises the alarm.
 */
export function openBufferFile(
  path: string,
  synchronous: "FULL" | "NORMAL",
  now: () => number,
): { db: Database.Database; recovery?: CorruptFileRecovery } {
  if (path === ":memory:") return { db: check(path, synchronous) };
  try {
    return { db: check(path, synchronous) };
  } catch (err) {
    if (!isCorruption(err)) throw err;
    const movedTo = `${path}.corrupt-${new Date(now()).toISOString().replace(/[:.]/g, "-")}`;
    const meta = readMeta(path);
    renameSync(path, movedTo);
    for (const suffix of ["-wal", "-shm"])
      if (existsSync(path + suffix)) renameSync(path + suffix, movedTo + suffix);
    return {
      db: check(path, synchronous),
      recovery: {
        movedTo,
        lastSeq: meta.lastSeq,
        ackedSeq: meta.ackedSeq,
        epoch: meta.epoch,
        reason: (err as Error).message,
      },
    };
  }
}
