import type { Retention } from "../retention.js";
import type { StoreWriter } from "./store-writer.js";

/**
 * What passes between the collector's main thread and its store writer thread (structured
 * clone). Internal to the collector: both ends are this build, so plain types, no schema.
 */
export type WriterOp = keyof Pick<
  StoreWriter,
  "insertBatches" | "insertEncoded" | "recordBatches" | "saveHeartbeat" | "settle" | "writeLatest"
>;

export interface WriterInit {
  path: string;
  clockJumpMs?: number;
}

export type ToWriter =
  | { kind: "call"; id: number; op: WriterOp; args: unknown[] }
  | { kind: "start"; retention?: Retention }
  | { kind: "close"; id: number };

export type FromWriter =
  | { kind: "ready" }
  | { kind: "done"; id: number; value: unknown }
  | { kind: "failed"; id: number; message: string; code?: string }
  | { kind: "log"; level: "info" | "warn" | "error"; obj: object; msg: string };
