// The collector's store writer thread (worker-client.ts starts it): opens its own connection to
// the store and runs every write the readings path makes, one message at a time, in order.
import { parentPort, workerData } from "node:worker_threads";
import { openSqliteStore } from "../sqlite-store.js";
import type { FromWriter, ToWriter, WriterInit } from "./messages.js";
import { createWriterCore, type WriterLog } from "./store-writer.js";

const port = parentPort;
if (!port) throw new Error("worker-main.ts runs as a worker thread; start it with createWorkerWriter()");
const send = (m: FromWriter) => port.postMessage(m);
const relay =
  (level: "info" | "warn" | "error") =>
  (obj: object, msg: string): void => {
    // An Error does not survive structured clone with its message; send what a reader needs.
    const err = (obj as { err?: unknown }).err;
    send({ kind: "log", level, msg, obj: err instanceof Error ? { ...obj, err: err.message } : obj });
  };
const log: WriterLog = { info: relay("info"), warn: relay("warn"), error: relay("error") };

const init = workerData as WriterInit;
const core = createWriterCore(openSqliteStore(init.path, { clockJumpMs: init.clockJumpMs }), log);
send({ kind: "ready" });

port.on("message", (m: ToWriter) => {
  if (m.kind === "start") return core.start({ retention: m.retention });
  if (m.kind === "close") {
    void core.close().then(
      () => {
        send({ kind: "done", id: m.id, value: undefined });
        port.close();
      },
      (err: Error) => send({ kind: "failed", id: m.id, message: err.message }),
    );
    return;
  }
  try {
    const value = (core[m.op] as (...a: unknown[]) => unknown)(...m.args);
    send({ kind: "done", id: m.id, value });
  } catch (err) {
    const e = err as Error & { code?: string };
    send({ kind: "failed", id: m.id, message: e.message, code: e.code });
  }
});
