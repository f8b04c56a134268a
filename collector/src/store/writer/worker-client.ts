import { Worker } from "node:worker_threads";
import { TidegateError } from "@tidegate/protocol";
import type { Retention } from "../retention.js";
import type { InsertResult } from "../types.js";
import type { FromWriter, ToWriter, WriterInit, WriterOp } from "./messages.js";
import type { StoreWriter, WriterLog } from "./store-writer.js";

/** The store writer thread died: nothing more is committed, so nothing more may be acked. */
export class StoreWriterError extends TidegateError {
  readonly code = "store.writer-died";
}

export interface WorkerWriterOptions extends WriterInit {
  log: WriterLog;
  /**
   * Called once when the thread dies unasked. Every write waiting and every later one rejects
   * (the consumer naks them); the collector stops and exits non-zero, for systemd to restart it.
   */
  onDeath?: (err: StoreWriterError) => void;
}

/**
 * Where the thread's code is: bundled (dist/cli.js), its own bundle beside it; from source (tsx,
 * vitest), a bootstrap that loads tsx in the thread first.
 */
const threadEntry = (): URL =>
  new URL(
    import.meta.url.endsWith(".ts") ? "./worker-from-source.mjs" : "./store-writer-worker.js",
    import.meta.url,
  );

/** The store writer in a worker thread: each call is one message, answered once it committed. */
export function createWorkerWriter(o: WorkerWriterOptions): StoreWriter & { readonly thread: Worker } {
  const init: WriterInit = { path: o.path, clockJumpMs: o.clockJumpMs };
  const thread = new Worker(threadEntry(), { workerData: init });
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 1;
  let dead: StoreWriterError | undefined;
  let closing = false;

  function die(reason: string) {
    if (dead) return;
    dead = new StoreWriterError(
      `the store writer thread ${reason}; nothing is acked that it did not commit`,
      {
        hint: "The collector stops; systemd (Restart=always) or the container restarts it, and JetStream redelivers what was not acked.",
      },
    );
    for (const w of waiting.values()) w.reject(dead);
    waiting.clear();
    if (!closing) o.onDeath?.(dead);
  }

  thread.on("message", (m: FromWriter) => {
    if (m.kind === "log") return o.log[m.level](m.obj, `store writer: ${m.msg}`);
    if (m.kind === "ready") return;
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.kind === "done") w?.resolve(m.value);
    else w?.reject(Object.assign(new Error(m.message), m.code ? { code: m.code } : {}));
  });
  thread.on("error", (err) => die(`failed: ${err.message}`));
  thread.on("exit", (code) => die(closing ? "closed" : `exited (code ${code})`));

  function send<R>(m: (id: number) => ToWriter, transfer: ArrayBuffer[] = []): Promise<R> {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    return new Promise<R>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      thread.postMessage(m(id), transfer);
    });
  }
  const call =
    <R>(op: WriterOp) =>
    (...args: unknown[]): Promise<R> =>
      send<R>((id) => ({ kind: "call", id, op, args }));

  return {
    inWorker: true,
    thread,
    insertBatches: call("insertBatches"),
    insertEncoded(messages: readonly Uint8Array[], receivedAt?: number) {
      // A message's bytes are a view into a larger buffer (the socket's, or Buffer's pool, and a
      // Buffer's slice() is a view too): copy exactly them into buffers of their own, and hand
      // those over rather than copying again.
      const copies = messages.map((m) => new Uint8Array(m));
      return send<InsertResult[]>(
        (id) => ({ kind: "call", id, op: "insertEncoded", args: [copies, receivedAt] }),
        copies.map((c) => c.buffer as ArrayBuffer),
      );
    },
    recordBatches: call("recordBatches"),
    saveHeartbeat: call("saveHeartbeat"),
    settle: call("settle"),
    writeLatest: call("writeLatest"),
    start(s: { retention?: Retention }) {
      if (!dead) thread.postMessage({ kind: "start", retention: s.retention } satisfies ToWriter);
    },
    async close() {
      if (dead) return;
      const exited = new Promise((resolve) => thread.once("exit", resolve));
      const closed = send((id) => ({ kind: "close", id }));
      closing = true;
      await closed;
      await exited;
    },
  };
}
