import { hasTable, type SchemaSpec } from "@tidegate/protocol/migrations";

const SERIES_INDEX = "CREATE INDEX readings_by_series ON readings (gateway, device, point, ts);";

/**
 * The collector store's schema, as the list of steps that built it. A new step goes at the end;
 * released steps never change. Booleans are stored as 1/0 in `num` so they chart; strings go to `text`.
 */
export const storeSchema: SchemaSpec = {
  name: "collector store",
  migrations: [
    {
      version: 1,
      description: "readings keyed by (gateway, seq), series catalog, gateways",
      up: `
        CREATE TABLE readings (
          gateway TEXT NOT NULL,
          seq INTEGER NOT NULL,
          device TEXT NOT NULL,
          point TEXT NOT NULL,
          ts INTEGER NOT NULL,
          num REAL,
          text TEXT,
          quality INTEGER NOT NULL,
          reason TEXT,
          PRIMARY KEY (gateway, seq)
        ) WITHOUT ROWID;
        ${SERIES_INDEX}
        CREATE TABLE series (
          gateway TEXT NOT NULL,
          device TEXT NOT NULL,
          point TEXT NOT NULL,
          last_ts INTEGER NOT NULL,
          last_value TEXT,
          PRIMARY KEY (gateway, device, point)
        ) WITHOUT ROWID;
        CREATE TABLE gateways (id TEXT PRIMARY KEY, last_seen INTEGER, heartbeat TEXT);`,
    },
    {
      version: 2,
      description: "completeness counters per gateway, kept on ingest",
      up: `
        ALTER TABLE gateways ADD COLUMN max_seq INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE gateways ADD COLUMN stored INTEGER NOT NULL DEFAULT 0;
        UPDATE gateways SET
          max_seq = coalesce((SELECT max(seq) FROM readings r WHERE r.gateway = gateways.id), 0),
          stored = (SELECT count(*) FROM readings r WHERE r.gateway = gateways.id);`,
    },
    {
      version: 3,
      description: "buffer epochs: readings keyed by (gateway, epoch, seq); earlier readings are epoch 0",
      rewrites: true,
      up: `
        CREATE TABLE readings_v3 (
          gateway TEXT NOT NULL,
          epoch INTEGER NOT NULL,
          seq INTEGER NOT NULL,
          device TEXT NOT NULL,
          point TEXT NOT NULL,
          ts INTEGER NOT NULL,
          num REAL,
          text TEXT,
          quality INTEGER NOT NULL,
          reason TEXT,
          PRIMARY KEY (gateway, epoch, seq)
        ) WITHOUT ROWID;
        INSERT INTO readings_v3 SELECT gateway, 0, seq, device, point, ts, num, text, quality, reason FROM readings;
        DROP TABLE readings;
        ALTER TABLE readings_v3 RENAME TO readings;
        ${SERIES_INDEX}
        -- Completeness counters per buffer epoch, kept on ingest so no query scans readings.
        CREATE TABLE gateway_epochs (
          gateway TEXT NOT NULL,
          epoch INTEGER NOT NULL,
          max_seq INTEGER NOT NULL DEFAULT 0,
          stored INTEGER NOT NULL DEFAULT 0,
          last_at INTEGER NOT NULL,
          PRIMARY KEY (gateway, epoch)
        ) WITHOUT ROWID;
        INSERT INTO gateway_epochs (gateway, epoch, max_seq, stored, last_at)
          SELECT id, 0, max_seq, stored, coalesce(last_seen, 0) FROM gateways WHERE stored > 0;
        ALTER TABLE gateways DROP COLUMN max_seq;
        ALTER TABLE gateways DROP COLUMN stored;
        -- the live agent's buffer epoch, from its heartbeat
        ALTER TABLE gateways ADD COLUMN epoch INTEGER;`,
    },
    {
      version: 4,
      description: "the batch wire version each gateway last sent in, to point at agents to upgrade",
      up: "ALTER TABLE gateways ADD COLUMN wire_version INTEGER;",
    },
  ],
  legacyVersion(db) {
    if (!hasTable(db, "readings")) return 0;
    if (hasTable(db, "gateway_epochs")) return 3; // versioning came with step 4
    const columns = db.prepare("SELECT name FROM pragma_table_info('gateways')").all() as { name: string }[];
    return columns.some((c) => c.name === "stored") ? 2 : 1;
  },
};
