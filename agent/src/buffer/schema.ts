/** The buffer's SQLite schema. Values are JSON so numbers, booleans and strings come back as they went in. */
export const BUFFER_SCHEMA = `
CREATE TABLE IF NOT EXISTS readings (
  seq INTEGER PRIMARY KEY,
  ts INTEGER NOT NULL,
  device TEXT NOT NULL,
  point TEXT NOT NULL,
  value TEXT,
  quality INTEGER NOT NULL,
  reason TEXT
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta (key, value) VALUES ('last_seq', 0), ('acked_seq', 0);
-- A new buffer file gets a random epoch: seqs restart at 1 in a new file, and (gateway, epoch, seq)
-- keeps them apart from an earlier file's at the collector (a reinstalled gateway).
INSERT OR IGNORE INTO meta (key, value) VALUES ('epoch', abs(random()) % 281474976710655 + 1);
CREATE TABLE IF NOT EXISTS dropped (
  first INTEGER NOT NULL,
  last INTEGER NOT NULL,
  reason TEXT NOT NULL,
  at INTEGER NOT NULL
);
-- One row per commit: max-age counts time in the buffer, not the reading's timestamp, so a
-- gateway whose clock was wrong at boot does not drop (or keep) readings by mistake.
CREATE TABLE IF NOT EXISTS commits (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS drop_counts (reason TEXT PRIMARY KEY, count INTEGER NOT NULL);
`;

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
