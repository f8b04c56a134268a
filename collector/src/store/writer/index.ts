import type { SqliteStore } from "../sqlite-store.js";
import { createInlineWriter, type StoreWriter, type WriterLog } from "./store-writer.js";
import { createWorkerWriter, type WorkerWriterOptions } from "./worker-client.js";

export type { StoreWriter, WriterLog } from "./store-writer.js";
export { StoreWriterError } from "./worker-client.js";

/**
 * The collector's store writer: in a worker thread (the service), or in this thread on `store`
 * (tests and tools, where one synchronous connection is simpler). Same interface either way.
 */
export function createStoreWriter(
  o: ({ inWorker: true } & WorkerWriterOptions) | { inWorker: false; store: SqliteStore; log: WriterLog },
): StoreWriter {
  return o.inWorker ? createWorkerWriter(o) : createInlineWriter(o.store, o.log);
}
