import { join } from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { Reading } from "@tidegate/protocol";
import { encodeBatchColumns } from "@tidegate/protocol";
import Database from "better-sqlite3";
import { openBuffer } from "../../agent/src/buffer/buffer.js";
import { valueJson } from "../../agent/src/buffer/schema.js";
import { allocatedBytes } from "../lib/alloc.js";
import { withTempDir } from "../lib/cleanup.js";
import { deadline, type Emit, perSecond } from "../lib/figure.js";
import { BATCH_SIZE, chunks, GATEWAY, makeReadings, schemaOf } from "../lib/readings.js";
import { median } from "../lib/stats.js";

const N = 200_000;
/** One poll of every point: what a source hands to append() at once. */
const APPEND_CHUNK = 96;
const REPEATS = 3;
/** Stop repeating once this much time went into one figure, so a busy machine still finishes in time. */
const REPEAT_BUDGET_MS = 8_000;
const WARMUP_POLLS = 200;
const LIMIT_MS = 20_000;
const QUALITY = ["good", "bad", "uncertain"];

type Sync = "NORMAL" | "FULL";
type RawRow = [number, number, string, string, number | null, string | null, number, string | null];

/** Appends through openBuffer with the default commit interval, yielding between polls like the agent does. */
async function appendThroughBuffer(path: string, sync: Sync, polls: Reading[][]) {
  const buffer = openBuffer({ path, synchronous: sync });
  let commits = 0;
  buffer.onCommit(() => {
    commits += 1;
  });
  try {
    const limit = deadline(`buffer.append (${sync})`, LIMIT_MS);
    const start = performance.now();
    for (let i = 0; i < polls.length; i++) {
      buffer.append(polls[i] as Reading[]);
      if (i % 16 === 15) {
        await nextTurn(); // lets the commit timer fire whenever it is due
        limit.check();
      }
    }
    const lastSeq = buffer.flush();
    const ms = performance.now() - start;
    const expected = polls.reduce((n, poll) => n + poll.length, 0);
    if (lastSeq !== expected) throw new Error(`buffer committed up to seq ${lastSeq}, expected ${expected}`);
    return { ms, commits };
  } finally {
    buffer.close();
  }
}

/** The raw limit: prepared INSERTs of the same rows, same schema and pragmas, same transaction size. */
function rawInsert(path: string, sync: Sync, schema: string, rows: RawRow[], txSize: number): number {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${sync}`);
    db.exec(schema);
    const insert = db.prepare<RawRow>(
      "INSERT INTO readings (seq, ts, device, point, num, value, quality, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    );
    const commit = db.transaction((batch: RawRow[]) => {
      for (const r of batch) insert.run(...r);
    });
    const batches = chunks(rows, txSize);
    const limit = deadline(`raw insert (${sync})`, LIMIT_MS);
    const start = performance.now();
    for (const batch of batches) {
      commit(batch);
      limit.check();
    }
    return performance.now() - start;
  } finally {
    db.close();
  }
}

/**
 * buffer.commit_bytes_per_reading and buffer.read_bytes_per_reading: V8 heap the buffer allocates
 * per reading to commit polls (append + flush) and to send them (readRun + encodeBatchColumns +
 * markSent in uplink-sized batches). Counted between collections, so the load does not change it.
 */
async function allocationFigures(emit: Emit, path: string, polls: Reading[][]): Promise<void> {
  const buffer = openBuffer({ path, commitIntervalMs: 0 });
  try {
    const warm = polls.slice(0, WARMUP_POLLS);
    const measured = polls.slice(WARMUP_POLLS);
    const count = measured.reduce((n, poll) => n + poll.length, 0);
    for (const poll of warm) buffer.append(poll);
    let after = buffer.flush();
    const send = () => {
      for (let run = buffer.readRun(after, BATCH_SIZE); run; run = buffer.readRun(after, BATCH_SIZE)) {
        encodeBatchColumns(GATEWAY, run, 1);
        buffer.markSent(run.first, run.last);
        after = run.last;
      }
    };
    send();
    const commitBytes = await allocatedBytes(() => {
      for (const poll of measured) buffer.append(poll);
    });
    const readBytes = await allocatedBytes(send);
    const shape = `${count / 1000}k readings of 8 devices × 12 points (mostly numbers, a boolean and a string point each)`;
    emit({
      name: "buffer.commit_bytes_per_reading",
      value: Math.round(commitBytes / count),
      unit: "B",
      note: `V8 heap allocated per reading by append + commit, ${APPEND_CHUNK} readings a commit; ${shape}; counted between garbage collections`,
    });
    emit({
      name: "buffer.read_bytes_per_reading",
      value: Math.round(readBytes / count),
      unit: "B",
      note: `V8 heap allocated per reading by readRun + encodeBatchColumns + markSent, ${BATCH_SIZE} a batch; ${shape}; counted between garbage collections`,
    });
  } finally {
    buffer.close();
  }
}

/** buffer.append (synchronous NORMAL) and buffer.append.full_sync (FULL), each beside raw better-sqlite3. */
export async function bufferFigures(emit: Emit): Promise<void> {
  const readings = makeReadings(N);
  const polls = chunks(readings, APPEND_CHUNK);
  const rows: RawRow[] = readings.map((r, i) => [
    i + 1,
    r.ts,
    r.device,
    r.point,
    typeof r.value === "number" ? r.value : null,
    valueJson(r.value),
    QUALITY.indexOf(r.quality),
    r.reason ?? null,
  ]);

  await withTempDir("buffer", async (dir) => {
    const reference = join(dir, "reference.db");
    openBuffer({ path: reference }).close();
    const refDb = new Database(reference, { readonly: true });
    const schema = schemaOf(refDb, "readings");
    refDb.close();
    // Warm-up (discarded) so neither the first measured run nor the raw baseline pays for JIT compilation.
    const warmPolls = polls.slice(0, WARMUP_POLLS);
    await appendThroughBuffer(join(dir, "warm-buffer.db"), "NORMAL", warmPolls);
    rawInsert(join(dir, "warm-raw.db"), "NORMAL", schema, rows.slice(0, WARMUP_POLLS * APPEND_CHUNK), 1000);

    await allocationFigures(emit, join(dir, "alloc.db"), polls.slice(0, WARMUP_POLLS + 1000));
    for (const sync of ["NORMAL", "FULL"] as const) {
      const began = performance.now();
      const bufferMs: number[] = [];
      const rawMs: number[] = [];
      const commits: number[] = [];
      for (let run = 0; run < REPEATS && performance.now() - began < REPEAT_BUDGET_MS; run++) {
        const measured = await appendThroughBuffer(join(dir, `buffer-${sync}-${run}.db`), sync, polls);
        bufferMs.push(measured.ms);
        commits.push(measured.commits);
        const txSize = Math.ceil(N / measured.commits);
        rawMs.push(rawInsert(join(dir, `raw-${sync}-${run}.db`), sync, schema, rows, txSize));
      }
      const txCount = median(commits);
      emit({
        name: sync === "NORMAL" ? "buffer.append" : "buffer.append.full_sync",
        value: perSecond(N, median(bufferMs)),
        unit: "readings/s",
        baseline: perSecond(N, median(rawMs)),
        budget: { min: 50_000 },
        note:
          `${N / 1000}k readings appended ${APPEND_CHUNK} at a time (default 200 ms commit interval, flush at end), ` +
          `synchronous ${sync}; ${txCount} commit(s) of ~${Math.ceil(N / txCount)} rows; ` +
          `baseline: raw prepared INSERTs, same schema, pragmas and transaction size; median of ${bufferMs.length}`,
      });
    }
  });
}
