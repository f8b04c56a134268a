import { hasTable, type SchemaSpec } from "@tidegate/node-kit";

/**
 * The buffer's schema, as the list of steps that built it. Values are JSON so numbers, booleans
 * and strings come back as they went in. A new step goes at the end; released steps never change.
 */
export const bufferSchema: SchemaSpec = {
  name: "agent buffer",
  migrations: [
    {
      version: 1,
      description: "readings with a gap-free seq; last and acknowledged seq",
      up: `
        CREATE TABLE readings (
          seq INTEGER PRIMARY KEY,
          ts INTEGER NOT NULL,
          device TEXT NOT NULL,
          point TEXT NOT NULL,
          value TEXT,
          quality INTEGER NOT NULL,
          reason TEXT
        );
        CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
        INSERT INTO meta (key, value) VALUES ('last_seq', 0), ('acked_seq', 0);`,
    },
    {
      version: 2,
      description: "bounds: dropped ranges and counts by reason, commit times for max age",
      up: `
        CREATE TABLE dropped (
          first INTEGER NOT NULL,
          last INTEGER NOT NULL,
          reason TEXT NOT NULL,
          at INTEGER NOT NULL
        );
        -- One row per commit: max-age counts time in the buffer, not the reading's timestamp, so a
        -- gateway whose clock was wrong at boot does not drop (or keep) readings by mistake.
        CREATE TABLE commits (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL);
        CREATE TABLE drop_counts (reason TEXT PRIMARY KEY, count INTEGER NOT NULL);`,
    },
    {
      version: 3,
      description: "buffer epoch",
      // A new file gets a random epoch: seqs restart at 1 in a new file, and (gateway, epoch, seq)
      // keeps them apart from an earlier file's at the collector (a reinstalled gateway). A file
      // that already holds seqs keeps epoch 0, under which the collector stored what it sent.
      up: `
        INSERT INTO meta (key, value) SELECT 'epoch',
          CASE WHEN (SELECT value FROM meta WHERE key = 'last_seq') > 0 THEN 0
               ELSE abs(random()) % 281474976710655 + 1 END;`,
    },
  ],
  legacyVersion(db) {
    if (!hasTable(db, "readings")) return 0;
    if (!hasTable(db, "drop_counts")) return 1;
    return db.prepare("SELECT 1 FROM meta WHERE key = 'epoch'").get() ? 3 : 2;
  },
};

export const QUALITY = ["good", "bad", "uncertain"] as const;

export interface ReadingRow {
  seq: number;
  ts: number;
  device: string;
  point: string;
  value: string | null;
  quality: number;
  reason: string | null;
}
