import { hasTable, type SchemaSpec } from "@tidegate/node-kit";
import { migrateReadingsToChunks } from "./chunk-migration.js";

const SERIES_INDEX = "CREATE INDEX readings_by_series ON readings (gateway, device, point, ts);";

/**
 * A rollup tier: per series and bucket (start time in ms), what charts need over long ranges.
 * `last` is the value with the newest timestamp in the bucket, so late arrivals update it right.
 */
const ROLLUP_TABLE = (name: string) => `
  CREATE TABLE ${name} (
    gateway TEXT NOT NULL,
    device TEXT NOT NULL,
    point TEXT NOT NULL,
    bucket INTEGER NOT NULL,
    n INTEGER NOT NULL,
    total REAL NOT NULL,
    lo REAL NOT NULL,
    hi REAL NOT NULL,
    last_ts INTEGER NOT NULL,
    last REAL NOT NULL,
    PRIMARY KEY (gateway, device, point, bucket)
  ) WITHOUT ROWID;`;

/** Rollups of what is already stored; only good numeric readings count (bad ones are gaps). */
const ROLLUP_BACKFILL = (name: string, ms: number) => `
  INSERT INTO ${name} (gateway, device, point, bucket, n, total, lo, hi, last_ts, last)
    SELECT gateway, device, point, (ts / ${ms}) * ${ms} AS b, count(*), sum(num), min(num), max(num), max(ts),
      (SELECT r2.num FROM readings r2 WHERE r2.gateway = r.gateway AND r2.device = r.device AND r2.point = r.point
         AND r2.ts / ${ms} = r.ts / ${ms} AND r2.quality = 0 AND r2.num IS NOT NULL ORDER BY r2.ts DESC LIMIT 1)
    FROM readings r WHERE quality = 0 AND num IS NOT NULL
    GROUP BY gateway, device, point, b;`;

/**
 * A coarser tier folded from a finer one already stored. The last value is the finer row's with
 * the latest time: a time falls in one finer bucket only, so there is no tie to break.
 */
const ROLLUP_FROM = (name: string, ms: number, finer: string) => `
  INSERT INTO ${name} (gateway, device, point, bucket, n, total, lo, hi, last_ts, last)
    SELECT gateway, device, point, bucket - bucket % ${ms} AS b, sum(n), sum(total), min(lo), max(hi), max(last_ts),
      (SELECT f.last FROM ${finer} f WHERE f.gateway = r.gateway AND f.device = r.device AND f.point = r.point
         AND f.bucket >= r.bucket - r.bucket % ${ms} AND f.bucket < r.bucket - r.bucket % ${ms} + ${ms}
         ORDER BY f.last_ts DESC LIMIT 1)
    FROM ${finer} r
    GROUP BY gateway, device, point, b;`;

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
    {
      version: 5,
      description:
        "rollups of good numeric readings per minute and per hour, filled from the readings stored so far",
      up: `
        ${ROLLUP_TABLE("rollup_1m")}
        ${ROLLUP_TABLE("rollup_1h")}
        ${ROLLUP_BACKFILL("rollup_1m", 60_000)}
        ${ROLLUP_BACKFILL("rollup_1h", 3_600_000)}`,
    },
    {
      version: 6,
      description:
        "fleet registry: when a gateway was first seen, and when its last heartbeat arrived (clock offset)",
      up: `
        ALTER TABLE gateways ADD COLUMN first_seen INTEGER;
        ALTER TABLE gateways ADD COLUMN heartbeat_at INTEGER;
        UPDATE gateways SET first_seen = last_seen;`,
    },
    {
      version: 7,
      description: "alert events from the gateways' edge rules",
      up: `
        CREATE TABLE alert_events (
          gateway TEXT NOT NULL,
          rule TEXT NOT NULL,
          device TEXT NOT NULL,
          state TEXT NOT NULL,
          at INTEGER NOT NULL,
          point TEXT NOT NULL,
          severity TEXT NOT NULL,
          value REAL,
          message TEXT NOT NULL,
          received_at INTEGER NOT NULL,
          PRIMARY KEY (gateway, rule, device, at, state)
        ) WITHOUT ROWID;
        CREATE INDEX alert_events_by_time ON alert_events (at);`,
    },
    {
      version: 8,
      description: "stored seq runs per gateway epoch, for readings kept in InfluxDB (idempotent accounting)",
      up: `
        CREATE TABLE seq_runs (
          gateway TEXT NOT NULL,
          epoch INTEGER NOT NULL,
          first_seq INTEGER NOT NULL,
          last_seq INTEGER NOT NULL,
          PRIMARY KEY (gateway, epoch, first_seq)
        ) WITHOUT ROWID;`,
    },
    {
      version: 9,
      description: "when a gateway's clock last jumped between two heartbeats, and by how much",
      up: `
        ALTER TABLE gateways ADD COLUMN clock_jump_at INTEGER;
        ALTER TABLE gateways ADD COLUMN clock_jump_ms INTEGER;`,
    },
    {
      version: 10,
      description:
        "readings in chunks (one row per series and run of arrivals instead of one per reading), seqs in seq runs",
      rewrites: true,
      up: migrateReadingsToChunks,
    },
    {
      version: 11,
      description:
        "15-minute and 1-day rollups, so long charts fold a few rows per bucket; filled from the 1-minute and 1-hour ones",
      up: `
        ${ROLLUP_TABLE("rollup_15m")}
        ${ROLLUP_TABLE("rollup_1d")}
        ${ROLLUP_FROM("rollup_15m", 900_000, "rollup_1m")}
        ${ROLLUP_FROM("rollup_1d", 86_400_000, "rollup_1h")}`,
    },
    {
      version: 12,
      description:
        "a head where live readings of fleet-shaped batches wait, a row per gateway and commit, before they move into chunks and rollups in bulk",
      up: `
        CREATE TABLE head (
          id INTEGER PRIMARY KEY,
          gateway TEXT NOT NULL,
          epoch INTEGER NOT NULL,
          received_at INTEGER NOT NULL,
          n INTEGER NOT NULL,
          data BLOB NOT NULL
        );
        CREATE INDEX head_by_gateway ON head (gateway);`,
    },
    {
      version: 13,
      description: "staged rollouts of agent releases, so a restarted collector carries them on",
      up: `
        CREATE TABLE rollouts (
          id TEXT PRIMARY KEY,
          created_at INTEGER NOT NULL,
          state TEXT NOT NULL,
          data TEXT NOT NULL
        );
        CREATE INDEX rollouts_by_created ON rollouts (created_at);`,
    },
  ],
  legacyVersion(db) {
    if (!hasTable(db, "readings")) return 0;
    if (hasTable(db, "gateway_epochs")) return 3; // versioning came with step 4
    const columns = db.prepare("SELECT name FROM pragma_table_info('gateways')").all() as { name: string }[];
    return columns.some((c) => c.name === "stored") ? 2 : 1;
  },
};
