import { hasTable, type MigrationDb, type SchemaSpec } from "@tidegate/node-kit";

/** Rows per statement while step 4 moves numbers: a big backlog is done in slices, with progress. */
const SLICE = 10_000;

/**
 * Step 4: numbers stored as JSON text (every value before it) move to the REAL column. JSON.parse
 * reads them, not SQLite's text-to-real conversion: JSON.stringify wrote the shortest text that
 * round-trips, and only JSON.parse is sure to give back that exact double. Other values
 * (booleans, strings) keep their JSON text; seqs, order and every other column stay as they are.
 */
function moveNumbers(db: MigrationDb, progress: (message: string) => void): void {
  db.exec("ALTER TABLE readings ADD COLUMN num REAL");
  const slice = db.prepare(
    "SELECT seq, value FROM readings WHERE seq > ? AND value GLOB '[-0-9]*' ORDER BY seq LIMIT ?",
  );
  const move = db.prepare("UPDATE readings SET num = ?, value = NULL WHERE seq = ?");
  let after = 0;
  let moved = 0;
  for (;;) {
    const rows = slice.all(after, SLICE) as { seq: number; value: string }[];
    for (const row of rows) {
      const value = JSON.parse(row.value) as unknown;
      if (typeof value === "number") move.run(value, row.seq);
      after = row.seq;
    }
    moved += rows.length;
    if (rows.length < SLICE) break;
    progress(`moved ${moved} numeric values to their REAL column`);
  }
}

/**
 * The buffer's schema, as the list of steps that built it. A number goes in `num` (REAL: an IEEE
 * double, so it comes back bit for bit); any other value as its JSON in `value`, so booleans and
 * strings come back as they went in. A new step goes at the end; released steps never change.
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
    {
      version: 4,
      description: "numeric values in a REAL column instead of JSON text",
      rewrites: true,
      up: moveNumbers,
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
  /** A numeric value (NaN is stored as NULL, as JSON writes it). */
  num: number | null;
  /** Any other value, as JSON text. */
  value: string | null;
  quality: number;
  reason: string | null;
}

/** What goes in `value`: the JSON of a value that is not a number; booleans cost no stringify. */
export function valueJson(value: unknown): string | null {
  if (value === null || value === undefined || typeof value === "number") return null;
  if (value === true) return "true";
  if (value === false) return "false";
  return JSON.stringify(value);
}
