import type { Reading, ReadingValue, SequencedReading } from "@tidegate/protocol";
import Database from "better-sqlite3";

export interface BufferOptions {
  path: string;
  /** Readings wait in memory at most this long before one transaction commits them all. */
  commitIntervalMs?: number;
  synchronous?: "FULL" | "NORMAL";
}

export interface BufferStats {
  backlog: number;
  oldestUnsentTs: number | null;
  lastSeq: number;
  lastAckedSeq: number;
  pending: number;
}

export interface ReadingBuffer {
  /** Queues readings; they get their seq when the next commit runs. */
  append(readings: readonly Reading[]): void;
  /** Commits queued readings now; returns the last seq committed. */
  flush(): number;
  /** Unsent readings in seq order starting after `afterSeq` (contiguous by construction). */
  readUnsent(afterSeq: number, limit: number): SequencedReading[];
  /** Deletes everything up to and including `lastSeq`, after the PubAck. */
  markSent(lastSeq: number): void;
  stats(): BufferStats;
  /** Called after each commit with the new last seq. */
  onCommit(listener: (lastSeq: number) => void): () => void;
  close(): void;
}

const SCHEMA = `
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
`;

const QUALITY = ["good", "bad", "uncertain"] as const;

interface Row {
  seq: number;
  ts: number;
  device: string;
  point: string;
  value: string | null;
  quality: number;
  reason: string | null;
}

/**
 * The agent's store-and-forward buffer: every reading is committed to SQLite (WAL) with a
 * gap-free seq before the uplink may send it. last_seq lives in a meta row updated in the same
 * transaction as the inserts, so seqs never repeat even after every row has been pruned.
 * Values are stored as JSON so numbers, booleans and strings come back as they went in.
 */
export function openBuffer(options: BufferOptions): ReadingBuffer {
  const commitIntervalMs = options.commitIntervalMs ?? 200;
  const db = new Database(options.path);
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${options.synchronous ?? "NORMAL"}`);
  db.exec(SCHEMA);

  const getMeta = db.prepare<[string], { value: number }>("SELECT value FROM meta WHERE key = ?");
  const setMeta = db.prepare("UPDATE meta SET value = ? WHERE key = ?");
  const insert = db.prepare(
    "INSERT INTO readings (seq, ts, device, point, value, quality, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const selectUnsent = db.prepare<[number, number], Row>(
    "SELECT * FROM readings WHERE seq > ? ORDER BY seq LIMIT ?",
  );
  const deleteUpTo = db.prepare("DELETE FROM readings WHERE seq <= ?");
  const tsOf = db.prepare<[number], { ts: number }>("SELECT ts FROM readings WHERE seq = ?");

  let lastSeq = getMeta.get("last_seq")?.value ?? 0;
  let ackedSeq = getMeta.get("acked_seq")?.value ?? 0;
  let pending: Reading[] = [];
  let timer: NodeJS.Timeout | undefined;
  const listeners = new Set<(lastSeq: number) => void>();

  const commit = db.transaction((batch: readonly Reading[]) => {
    let seq = lastSeq;
    for (const r of batch) {
      seq += 1;
      insert.run(
        seq,
        r.ts,
        r.device,
        r.point,
        r.value === null ? null : JSON.stringify(r.value),
        QUALITY.indexOf(r.quality),
        r.reason ?? null,
      );
    }
    setMeta.run(seq, "last_seq");
    return seq;
  });

  function flush(): number {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (pending.length === 0) return lastSeq;
    const batch = pending;
    pending = [];
    lastSeq = commit(batch);
    for (const l of listeners) l(lastSeq);
    return lastSeq;
  }

  return {
    append(readings) {
      pending.push(...readings);
      if (commitIntervalMs === 0) flush();
      else timer ??= setTimeout(flush, commitIntervalMs);
    },
    flush,
    readUnsent(afterSeq, limit) {
      return selectUnsent.all(afterSeq, limit).map((row) => {
        const reading: SequencedReading = {
          seq: row.seq,
          ts: row.ts,
          device: row.device,
          point: row.point,
          value: row.value === null ? null : (JSON.parse(row.value) as ReadingValue),
          quality: QUALITY[row.quality] ?? "uncertain",
        };
        if (row.reason !== null) reading.reason = row.reason;
        return reading;
      });
    },
    markSent(seq) {
      if (seq <= ackedSeq) return;
      db.transaction(() => {
        deleteUpTo.run(seq);
        setMeta.run(seq, "acked_seq");
      })();
      ackedSeq = seq;
    },
    // Seqs are gap-free and rows are deleted only up to the acked seq, so the backlog is a
    // subtraction and the oldest unsent reading is one primary-key lookup: no table scans.
    stats() {
      const backlog = lastSeq - ackedSeq;
      const oldestUnsentTs = backlog > 0 ? (tsOf.get(ackedSeq + 1)?.ts ?? null) : null;
      return { backlog, oldestUnsentTs, lastSeq, lastAckedSeq: ackedSeq, pending: pending.length };
    },
    onCommit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      flush();
      db.close();
    },
  };
}
