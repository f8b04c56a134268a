import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

const require = createRequire(import.meta.url);

/** How often the background thread checkpoints the WAL into the database file. */
export const CHECKPOINT_EVERY_MS = 1000;
/**
 * The writer's own automatic checkpoint, kept as a fallback: if the background thread stops or
 * falls behind, a commit checkpoints once the WAL holds this many pages (40 MB at 4 kB pages).
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;

/**
 * The thread's code, CommonJS so it needs no file of its own in the bundle: it loads
 * better-sqlite3 from the path the collector resolved and opens its own connection to the file.
 * PASSIVE never waits for the writer or for readers: it copies what it can and leaves the rest
 * for the next round.
 */
const SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.path, { fileMustExist: true });
  db.pragma("busy_timeout = 100");
} catch (err) {
  throw new Error("cannot open " + workerData.path + ": " + ((err && (err.message || err.code)) || err));
}
const round = () => {
  try {
    const [r] = db.pragma("wal_checkpoint(PASSIVE)");
    parentPort.postMessage({ busy: r.busy, log: r.log, checkpointed: r.checkpointed });
  } catch (err) {
    parentPort.postMessage({ error: String((err && err.message) || err) });
  }
};
const timer = setInterval(round, workerData.everyMs);
parentPort.on("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface CheckpointRound {
  /** Pages in the WAL, and how many of them are in the database file now. */
  log: number;
  checkpointed: number;
  busy: number;
}

export interface Checkpointer {
  /** The latest round, once one ran. */
  last(): CheckpointRound | undefined;
  /** Ends the thread; its connection closes (a last connection checkpoints on close). */
  stop(): Promise<void>;
}

/**
 * Checkpoints a WAL-mode SQLite file from a thread of its own. A checkpoint writes the WAL's pages
 * into the database file and syncs it: on the committing connection that is tens of ms of the
 * event loop every few MB of commits, and the API waited behind it (fleet bench). Here the event
 * loop only appends to the WAL.
 */
export function startCheckpointer(
  path: string,
  options: { everyMs?: number; onError?: (message: string) => void } = {},
): Checkpointer {
  const worker = new Worker(SOURCE, {
    eval: true,
    workerData: {
      driver: require.resolve("better-sqlite3"),
      path,
      everyMs: options.everyMs ?? CHECKPOINT_EVERY_MS,
    },
  });
  // The collector's shutdown ends it; it never keeps the process alive by itself.
  worker.unref();
  let last: CheckpointRound | undefined;
  let stopped = false;
  worker.on("message", (m: CheckpointRound | { error: string }) => {
    if ("error" in m) options.onError?.(m.error);
    else last = m;
  });
  worker.on("error", (err: { message?: string; code?: string }) =>
    options.onError?.(`the checkpoint thread stopped: ${err.message || err.code || String(err)}`),
  );
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  return {
    last: () => last,
    async stop() {
      if (stopped) return;
      stopped = true;
      worker.postMessage("stop");
      const timeout = setTimeout(() => void worker.terminate(), 2000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
