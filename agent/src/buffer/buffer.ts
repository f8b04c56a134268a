import type { BatchColumns, Reading } from "@tidegate/protocol";
import { openBufferFile } from "./open-file.js";
import { addRange, advanceWatermark, type SeqRange } from "./ranges.js";
import { createRunReader } from "./run-reader.js";
import { QUALITY, valueJson } from "./schema.js";

export type WhenFull = "drop-oldest" | "reject-new";

export interface BufferOptions {
  path: string;
  /** Readings wait in memory at most this long before one transaction commits them all. */
  commitIntervalMs?: number;
  synchronous?: "FULL" | "NORMAL";
  /** Bytes of unsent readings kept on disk before `whenFull` applies. */
  maxBytes?: number;
  /** Unsent readings older than this are dropped (counted as "max-age"). */
  maxAgeMs?: number;
  whenFull?: WhenFull;
  now?: () => number;
  /** Readings held in memory while the file cannot be written (disk full); beyond, the oldest are dropped. */
  maxPendingInMemory?: number;
  /** Hard cap on the file's pages (SQLite max_page_count): tests use it to make a disk "full". */
  maxPageCount?: number;
}

export interface BufferAlarm {
  code: "buffer-write-failed" | "buffer-corrupt";
  message: string;
  since: number;
}

export interface BufferStats {
  /** Committed readings not yet acknowledged (nor dropped). */
  backlog: number;
  oldestUnsentTs: number | null;
  lastSeq: number;
  /** Every seq up to this one is acknowledged by JetStream or dropped. */
  lastAckedSeq: number;
  pending: number;
  bytes: number;
  dropped: Record<string, number>;
  droppedRanges: SeqRange[];
  alarms: BufferAlarm[];
  /** This buffer file's epoch: seqs are unique per (gateway, epoch). */
  epoch: number;
}

export interface ReadingBuffer {
  /** Queues readings; they get their seq when the next commit runs. */
  append(readings: readonly Reading[]): void;
  /** Commits queued readings now; returns the last seq committed. */
  flush(): number;
  /**
   * Unsent readings after `afterSeq`: the first contiguous run, at most `limit` long and not past
   * `throughSeq`, in batch wire columns for encodeBatchColumns (cheaper than readings one by one).
   */
  readRun(afterSeq: number, limit: number, throughSeq?: number): BatchColumns | undefined;
  /** Deletes the range after its PubAck. */
  markSent(firstSeq: number, lastSeq: number): void;
  /** Readings up to `low`, and from `high` on, are in flight: drop-oldest must not drop them. */
  protect(low: number, high?: number): void;
  stats(): BufferStats;
  /** The last committed seq, as in stats(), without stats()'s queries: the uplink asks per batch. */
  lastSeq(): number;
  /** Called after each commit with the new last seq. */
  onCommit(listener: (lastSeq: number) => void): () => void;
  close(): void;
}

const MAX_REPORTED_RANGES = 100;

/**
 * The agent's store-and-forward buffer: every reading is committed to SQLite (WAL) with a
 * gap-free seq before the uplink may send it. last_seq lives in a meta row updated in the same
 * transaction as the inserts, so seqs never repeat even after every row has been pruned.
 * Rows leave only by acknowledgement or by a counted drop, never silently.
 */
export function openBuffer(options: BufferOptions): ReadingBuffer {
  const commitIntervalMs = options.commitIntervalMs ?? 200;
  const maxBytes = options.maxBytes ?? 1024 ** 3;
  const maxAgeMs = options.maxAgeMs ?? 7 * 24 * 3600_000;
  const whenFull = options.whenFull ?? "drop-oldest";
  const now = options.now ?? Date.now;
  const { db, recovery } = openBufferFile(options.path, options.synchronous ?? "NORMAL", now);
  if (options.maxPageCount) db.pragma(`max_page_count = ${options.maxPageCount}`);
  const pageSize = db.pragma("page_size", { simple: true }) as number;

  const q = {
    meta: db.prepare<[string], { value: number }>("SELECT value FROM meta WHERE key = ?"),
    setMeta: db.prepare("UPDATE meta SET value = ? WHERE key = ?"),
    insert: db.prepare(
      "INSERT INTO readings (seq, ts, device, point, num, value, quality, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    oldest: db.prepare<[number], { seq: number; ts: number }>(
      "SELECT seq, ts FROM readings WHERE seq > ? ORDER BY seq LIMIT 1",
    ),
    seqsAfter: db.prepare<[number, number], { seq: number }>(
      "SELECT seq FROM readings WHERE seq > ? ORDER BY seq LIMIT ?",
    ),
    deleteRange: db.prepare("DELETE FROM readings WHERE seq BETWEEN ? AND ?"),
    count: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM readings"),
    addDropped: db.prepare("INSERT INTO dropped (first, last, reason, at) VALUES (?, ?, ?, ?)"),
    droppedRanges: db.prepare<[], { first: number; last: number }>(
      "SELECT first, last FROM dropped ORDER BY first",
    ),
    countDrop: db.prepare(
      "INSERT INTO drop_counts (reason, count) VALUES (?, ?) ON CONFLICT (reason) DO UPDATE SET count = count + excluded.count",
    ),
    dropCounts: db.prepare<[], { reason: string; count: number }>("SELECT reason, count FROM drop_counts"),
    addCommit: db.prepare("INSERT INTO commits (seq, at) VALUES (?, ?)"),
    // Commits are in seq order with non-decreasing times, so the first young commit bounds the old ones.
    firstYoungCommit: db.prepare<[number], { seq: number }>(
      "SELECT seq FROM commits WHERE at >= ? ORDER BY seq LIMIT 1",
    ),
    pruneCommits: db.prepare("DELETE FROM commits WHERE seq < (SELECT max(seq) FROM commits WHERE seq <= ?)"),
  };

  const readRun = createRunReader(db);
  const alarms = new Map<BufferAlarm["code"], BufferAlarm>();
  const maxPendingInMemory = options.maxPendingInMemory ?? 100_000;
  if (recovery) {
    // Continue the seq from the corrupt file when its meta is readable, so no seq is ever reused;
    // its unsent readings are gone and are reported as a dropped range.
    const last = recovery.lastSeq ?? 0;
    const acked = Math.min(recovery.ackedSeq ?? last, last);
    q.setMeta.run(last, "last_seq");
    q.setMeta.run(last, "acked_seq");
    // Keep the old epoch only when the seq continues; a restart at 1 must be a new epoch.
    if (recovery.epoch !== undefined && recovery.lastSeq !== undefined)
      q.setMeta.run(recovery.epoch, "epoch");
    if (last > acked) {
      q.addDropped.run(acked + 1, last, "buffer-corrupt", now());
      q.countDrop.run("buffer-corrupt", last - acked);
    }
    alarms.set("buffer-corrupt", {
      code: "buffer-corrupt",
      message: `buffer file failed its integrity check (${recovery.reason}); moved to ${recovery.movedTo} and started a new one${recovery.lastSeq === undefined ? "; its last seq was unreadable, so seqs restart at 1 under a new epoch" : ""}`,
      since: now(),
    });
  }
  let lastSeq = q.meta.get("last_seq")?.value ?? 0;
  const epoch = q.meta.get("epoch")?.value ?? 0;
  // Rows not in the table are settled (acked or dropped); the first present row bounds the watermark.
  let watermark = Math.max(q.meta.get("acked_seq")?.value ?? 0, (q.oldest.get(0)?.seq ?? lastSeq + 1) - 1);
  let settledAbove: SeqRange[] = [];
  let unsent = q.count.get()?.n ?? 0;
  let protectedSeq = 0;
  let protectedFrom = Number.POSITIVE_INFINITY;
  let pending: Reading[] = [];
  let timer: NodeJS.Timeout | undefined;
  let lastAgeCheck = 0;
  const listeners = new Set<(lastSeq: number) => void>();
  let dropped: Record<string, number> = Object.fromEntries(
    q.dropCounts.all().map((r) => [r.reason, r.count]),
  );
  let droppedRanges: SeqRange[] = q.droppedRanges
    .all()
    .reduce<SeqRange[]>((acc, r) => addRange(acc, r.first, r.last), []);

  const bytesInUse = () => {
    const pages = db.pragma("page_count", { simple: true }) as number;
    const free = db.pragma("freelist_count", { simple: true }) as number;
    return (pages - free) * pageSize;
  };

  /**
   * Runs `fn` in one SQLite transaction; if the commit fails (disk full), the in-memory books
   * are put back as they were, so memory never claims what the file does not hold.
   */
  function atomically<T>(fn: () => T): T {
    const saved = { unsent, watermark, settledAbove, droppedRanges, dropped: { ...dropped } };
    try {
      return db.transaction(fn)();
    } catch (err) {
      ({ unsent, watermark, settledAbove, droppedRanges } = saved);
      dropped = saved.dropped;
      throw err;
    }
  }

  function settle(first: number, last: number) {
    const moved = advanceWatermark(watermark, addRange(settledAbove, first, last));
    settledAbove = moved.rest;
    if (moved.watermark !== watermark) {
      watermark = moved.watermark;
      q.setMeta.run(watermark, "acked_seq");
    }
  }

  function countDrop(reason: string, n: number) {
    q.countDrop.run(reason, n);
    dropped[reason] = (dropped[reason] ?? 0) + n;
  }

  /** Drops the oldest unsent rows that are not in flight, up to `limit` rows or up to `throughSeq`. */
  const dropOldest = (reason: string, limit: number, throughSeq = Number.POSITIVE_INFINITY) =>
    atomically(() => {
      const rows = q.seqsAfter.all(Math.max(watermark, protectedSeq), limit);
      let first: number | undefined;
      let last: number | undefined;
      for (const r of rows) {
        if (r.seq > throughSeq || r.seq >= protectedFrom) break;
        if (last !== undefined && r.seq !== last + 1) break; // one contiguous range per call
        first ??= r.seq;
        last = r.seq;
      }
      if (first === undefined || last === undefined) return 0;
      const n = q.deleteRange.run(first, last).changes;
      unsent -= n;
      q.addDropped.run(first, last, reason, now());
      droppedRanges = addRange(droppedRanges, first, last);
      countDrop(reason, n);
      settle(first, last);
      return n;
    });

  function enforceBounds() {
    if (now() - lastAgeCheck > 10_000) {
      lastAgeCheck = now();
      const young = q.firstYoungCommit.get(now() - maxAgeMs)?.seq;
      const oldThrough = young === undefined ? lastSeq : young - 1;
      for (let guard = 0; guard < 1000 && dropOldest("max-age", 10_000, oldThrough) > 0; guard++);
      q.pruneCommits.run(watermark);
    }
    if (whenFull !== "drop-oldest") return;
    for (let guard = 0; guard < 100 && bytesInUse() > maxBytes && unsent > 0; guard++) {
      // Drop about a tenth of what is over, so a burst does not trigger a drop per commit.
      const perRow = bytesInUse() / Math.max(1, unsent);
      const over = bytesInUse() - maxBytes * 0.9;
      if (dropOldest("buffer-full", Math.max(1, Math.ceil(over / perRow))) === 0) break;
    }
  }

  const commit = db.transaction((batch: readonly Reading[]) => {
    q.addCommit.run(lastSeq + 1, now());
    let seq = lastSeq;
    for (const r of batch) {
      seq += 1;
      const v = r.value;
      // A number is bound as the double it is: no text on the way in or out.
      q.insert.run(
        seq,
        r.ts,
        r.device,
        r.point,
        typeof v === "number" ? v : null,
        valueJson(v),
        QUALITY.indexOf(r.quality),
        r.reason ?? null,
      );
    }
    q.setMeta.run(seq, "last_seq");
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
    try {
      if (whenFull === "reject-new" && bytesInUse() >= maxBytes) {
        // Rejected readings never get a seq, so completeness (stored + dropped = committed) still holds.
        countDrop("buffer-full-rejected", batch.length);
        return lastSeq;
      }
      lastSeq = commit(batch);
      unsent += batch.length;
      alarms.delete("buffer-write-failed");
    } catch (err) {
      holdAfterFailedCommit(batch, err as Error);
      return lastSeq;
    }
    try {
      enforceBounds();
    } catch (err) {
      raise("buffer-write-failed", `could not apply buffer bounds: ${(err as Error).message}`);
    }
    for (const l of listeners) l(lastSeq);
    return lastSeq;
  }

  function raise(code: BufferAlarm["code"], message: string) {
    const existing = alarms.get(code);
    alarms.set(code, { code, message, since: existing?.since ?? now() });
  }

  /**
   * Disk full or an I/O error: keep the readings in memory (bounded) and try again shortly, so
   * the agent stays up and recovers by itself when space returns (e.g. the uplink drains).
   */
  function holdAfterFailedCommit(batch: Reading[], err: Error) {
    const code = (err as { code?: string }).code;
    const what = code === "SQLITE_FULL" ? "disk full" : (code ?? "error");
    raise(
      "buffer-write-failed",
      `cannot write the buffer (${what}: ${err.message}); holding readings in memory`,
    );
    pending = [...batch, ...pending];
    const over = pending.length - maxPendingInMemory;
    if (over > 0) {
      pending = pending.slice(over);
      dropped["buffer-unwritable"] = (dropped["buffer-unwritable"] ?? 0) + over;
    }
    timer ??= setTimeout(flush, 1000);
  }

  return {
    append(readings) {
      pending.push(...readings);
      if (commitIntervalMs === 0) flush();
      else timer ??= setTimeout(flush, commitIntervalMs);
    },
    flush,
    readRun,
    markSent(first, last) {
      try {
        atomically(() => {
          unsent -= q.deleteRange.run(first, last).changes;
          settle(first, last);
        });
      } catch (err) {
        // The rows stay and are sent again after a restart; the collector ignores the repeat.
        raise("buffer-write-failed", `cannot prune sent readings: ${(err as Error).message}`);
      }
    },
    protect(low, high) {
      protectedSeq = low;
      protectedFrom = high ?? Number.POSITIVE_INFINITY;
    },
    stats() {
      return {
        backlog: unsent,
        oldestUnsentTs: unsent > 0 ? (q.oldest.get(watermark)?.ts ?? null) : null,
        lastSeq,
        lastAckedSeq: watermark,
        pending: pending.length,
        bytes: bytesInUse(),
        dropped: { ...dropped },
        droppedRanges: droppedRanges.slice(-MAX_REPORTED_RANGES),
        alarms: [...alarms.values()],
        epoch,
      };
    },
    lastSeq: () => lastSeq,
    onCommit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      flush();
      if (timer) clearTimeout(timer);
      db.close();
    },
  };
}
