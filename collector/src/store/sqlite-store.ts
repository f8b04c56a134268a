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

/**
 * The collector's embedded store, one SQLite file: readings (readings-store.ts), the registry of
 * gateways and series (registry.ts) and alert events (alert-events.ts). Idempotent on
 * (gateway, epoch, seq): a batch that arrives twice (redelivery, an agent retry outside
 * JetStream's duplicate window) inserts nothing the second time.
 */
export function openSqliteStore(path: string, options: { clockJumpMs?: number } = {}) {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  migrateSync(db, storeSchema, path);
  const latest = createLatestValues(db);
  const writeAllLatest = db.transaction(() => latest.writeAll());
  return {
    ...createReadingsStore(db, latest),
    ...createRegistry(db, latest, options),
    ...createAlertEvents(db),
    ...createRolloutRows(db),
    close: () => {
      if (db.open) writeAllLatest.immediate();
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
