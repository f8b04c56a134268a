/**
 * Versioned, forward-only schema migrations for the SQLite files Tidegate owns (agent buffer,
 * collector store). The version lives in `PRAGMA user_version`, set inside each step's
 * transaction, so a process killed between steps leaves a file at a consistent version that the
 * next start carries on from. Shared by agent and collector so both keep the same promises.
 *
 * The database handle is typed structurally so this package needs no SQLite dependency; a
 * better-sqlite3 Database fits. Node-only: part of `@tidegate/node-kit`.
 */
import { existsSync, renameSync, rmSync } from "node:fs";
// By package name, not path: the error base stays in the browser-safe index wherever this file lives.
import { TidegateError } from "@tidegate/protocol";

export interface MigrationDb {
  pragma(source: string, options?: { simple?: boolean }): unknown;
  exec(source: string): unknown;
  prepare(source: string): {
    get(...params: unknown[]): unknown;
    all(...params: unknown[]): unknown[];
    run(...params: unknown[]): unknown;
  };
  transaction(fn: () => void): () => void;
  backup?(destination: string): Promise<unknown>;
}

export interface Migration {
  /** 1, 2, 3 … in order, no gaps. */
  version: number;
  /** What changed, in words: shown in logs while it runs. */
  description: string;
  /** Rewrites existing tables: the file is copied aside before it runs on a file that holds data. */
  rewrites?: boolean;
  /** SQL, or a function for steps SQL alone cannot do; `progress` reports on a long one (logged). */
  up: string | ((db: MigrationDb, progress: (message: string) => void) => void);
}

export interface SchemaSpec {
  /** What the file is, for messages: "agent buffer", "collector store". */
  name: string;
  migrations: readonly Migration[];
  /**
   * Files written before versioning have user_version 0 but tables: this tells which version
   * their shape is, so they are migrated from there instead of from scratch.
   */
  legacyVersion?: (db: MigrationDb) => number;
}

export class SchemaError extends TidegateError {
  override name = "SchemaError";
  readonly code = "schema.refused";
}

export interface MigrationPlan {
  /** The file's version before migrating (0: a new, empty file). */
  from: number;
  to: number;
  pending: Migration[];
  /** A pending step rewrites tables of a file that holds data: it needs a copy aside first. */
  needsBackup: boolean;
}

function latestVersion(spec: SchemaSpec): number {
  spec.migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`${spec.name}: migration ${i} has version ${m.version}, expected ${i + 1}`);
  });
  return spec.migrations.length;
}

/** Reads the file's version and what must run; refuses a file written by a newer Tidegate. */
export function planMigrations(db: MigrationDb, spec: SchemaSpec, file: string): MigrationPlan {
  const latest = latestVersion(spec);
  let from = db.pragma("user_version", { simple: true }) as number;
  if (from === 0 && spec.legacyVersion) from = spec.legacyVersion(db);
  if (from > latest) {
    throw new SchemaError(
      `${file}: this ${spec.name} has schema version ${from}, written by a newer Tidegate; this build knows versions up to ${latest}. ` +
        "Upgrade Tidegate (or restore the file's backup); the file was left untouched.",
    );
  }
  const pending = spec.migrations.slice(from);
  return { from, to: latest, pending, needsBackup: from > 0 && pending.some((m) => m.rewrites) };
}

/** Runs each step in its own transaction, the version bump inside it. */
export function applyMigrations(
  db: MigrationDb,
  plan: MigrationPlan,
  onStep: (m: Migration) => void = () => {},
  progress: (message: string) => void = () => {},
): void {
  // A legacy file (user_version 0) is stamped with the version its shape showed before any step.
  if (plan.from > 0 && (db.pragma("user_version", { simple: true }) as number) === 0)
    db.pragma(`user_version = ${plan.from}`);
  for (const m of plan.pending) {
    db.transaction(() => {
      if (typeof m.up === "string") db.exec(m.up);
      else m.up(db, progress);
      db.pragma(`user_version = ${m.version}`);
    })();
    onStep(m);
  }
}

/**
 * For synchronous opens: migrates a new file or one whose pending steps only add things. A step
 * that rewrites tables of a file holding data needs the backup that `upgradeDatabase` takes.
 */
export function migrateSync(db: MigrationDb, spec: SchemaSpec, file: string): MigrationPlan {
  const plan = planMigrations(db, spec, file);
  if (plan.needsBackup) {
    throw new SchemaError(
      `${file}: this ${spec.name} (schema version ${plan.from}) needs an upgrade that rewrites tables; ` +
        "start it through the agent or collector command, which copies the file aside first.",
    );
  }
  applyMigrations(db, plan);
  return plan;
}

/** Whether the file has this table: legacy detectors look at a file's shape. */
export const hasTable = (db: MigrationDb, name: string): boolean =>
  db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;

/** The copy taken before a rewriting upgrade; it exists only while an upgrade has not committed. */
export const upgradeBackupPath = (file: string) => `${file}.upgrade-backup`;

export interface UpgradeOptions {
  log?: (message: string) => void;
  /** Called after each step has committed: tests hold the process here to kill it between steps. */
  afterStep?: (m: Migration) => void;
}

/**
 * Brings a file to the latest schema at start-up. Before a step that rewrites tables the file is
 * copied with SQLite's online backup API, and the copy is kept until every step has committed;
 * a copy left by an interrupted run is older and more valuable, so it is kept, not overwritten.
 */
export async function upgradeDatabase(
  db: MigrationDb,
  spec: SchemaSpec,
  file: string,
  options: UpgradeOptions = {},
): Promise<MigrationPlan> {
  const log = options.log ?? (() => {});
  const plan = planMigrations(db, spec, file);
  const backup = upgradeBackupPath(file);
  if (plan.needsBackup) {
    if (!db.backup) throw new Error(`${spec.name}: the database handle cannot make backups`);
    if (existsSync(backup)) {
      log(`${file}: keeping the copy ${backup} left by an interrupted upgrade`);
    } else {
      log(`${file}: copying the ${spec.name} to ${backup} before upgrading it`);
      // Copied under another name first: a copy cut short by a crash must not pass for a whole one.
      await db.backup(`${backup}.partial`);
      renameSync(`${backup}.partial`, backup);
    }
  }
  if (plan.pending.length > 0) {
    log(`${file}: upgrading the ${spec.name} from schema version ${plan.from} to ${plan.to}`);
    applyMigrations(
      db,
      plan,
      (m) => {
        log(`${file}: schema version ${m.version}: ${m.description}`);
        options.afterStep?.(m);
      },
      (message) => log(`${file}: ${message}`),
    );
  }
  // Every step has committed, in this run or an interrupted one: the copy has done its job.
  if (existsSync(backup)) {
    rmSync(backup, { force: true });
    log(`${file}: upgrade committed; removed ${backup}`);
  }
  return plan;
}
