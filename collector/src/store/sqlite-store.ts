import { existsSync } from "node:fs";
import { migrateSync, type UpgradeOptions, upgradeDatabase } from "@tidegate/node-kit";
import Database from "better-sqlite3";
import { createAlertEvents } from "./alert-events.js";
import { createLatestValues } from "./latest-values.js";
import { createReadingsStore } from "./readings-store.js";
import { createRegistry } from "./registry.js";
import { createRolloutRows } from "./rollouts.js";
import { storeSchema } from "./schema.js";

export type { AlertRow, GatewayRow, InsertResult, PointRow, SeriesQuery, SeriesResult } from "./types.js";

export interface SqliteStoreOptions {
  clockJumpMs?: number;
  /**
   * Another connection (the store writer thread, writer/) owns the readings' in-memory state:
   * the head and the latest values waiting. Then reads never move a head or write latest values
   * here (the caller asks the writer to settle first), and this connection keeps only the
   * registry's rare writes (alerts, rollouts).
   */
  writesElsewhere?: boolean;
}

/**
 * The collector's embedded store, one SQLite file: readings (readings-store.ts), the registry of
 * gateways and series (registry.ts) and alert events (alert-events.ts). Idempotent on
 * (gateway, epoch, seq): a batch that arrives twice (redelivery, an agent retry outside
 * JetStream's duplicate window) inserts nothing the second time.
 */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}) {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  migrateSync(db, storeSchema, path);
  const latest = createLatestValues(db);
  const writeAllLatest = db.transaction(() => latest.writeAll());
  return {
    ...createReadingsStore(db, latest, { settleOnRead: !options.writesElsewhere }),
    ...createRegistry(db, latest, { ...options, writeLatestOnRead: !options.writesElsewhere }),
    ...createAlertEvents(db),
    ...createRolloutRows(db),
    close: () => {
      if (db.open && latest.waiting()) writeAllLatest.immediate();
      db.close();
    },
  };
}

/** Brings an existing store to the current schema before the collector opens it (a copy is taken first when a step rewrites tables). */
export async function upgradeSqliteStore(path: string, options: UpgradeOptions): Promise<void> {
  if (!existsSync(path)) return;
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    await upgradeDatabase(db, storeSchema, path, options);
  } finally {
    db.close();
  }
}

export type SqliteStore = ReturnType<typeof openSqliteStore>;
