import { TidegateError } from "@tidegate/protocol";

const EXCEPTION_NAMES: Record<number, string> = {
  1: "illegal function",
  2: "illegal data address",
  3: "illegal data value",
  4: "slave device failure",
  6: "slave device busy",
  10: "gateway path unavailable",
  11: "gateway target failed to respond",
};

export type ModbusErrorKind = "exception" | "timeout" | "corrupt" | "connection";

export interface ModbusErrorInfo {
  /** In words an operator can act on; becomes the bad reading's reason. */
  reason: string;
  kind: ModbusErrorKind;
  /** Whether the connection may be broken and should be opened afresh. */
  reconnect: boolean;
  /** Whether trying the same read again may succeed (a lost or garbled frame). */
  retry: boolean;
}

function printable(err: unknown): string {
  try {
    return err == null ? "" : String(err).trim();
  } catch {
    return ""; // an object whose toString is broken
  }
}

/** Turns what a Modbus request fails with (wire/errors.ts, a socket's or port's own) into words and into what to do next. */
export function describeModbusError(err: unknown, timeoutMs: number): ModbusErrorInfo {
  // Drivers may reject with anything, even null or an error without a message: the reason is never empty.
  const e = (err ?? {}) as {
    modbusCode?: number;
    errno?: string | number;
    code?: string;
    message?: string;
    name?: string;
  };
  if (typeof e.modbusCode === "number") {
    return {
      reason: `exception ${e.modbusCode} (${EXCEPTION_NAMES[e.modbusCode] ?? "unknown"})`,
      kind: "exception",
      reconnect: false,
      retry: false,
    };
  }
  // Our own errors' `code` names a kind of Tidegate error, not a system error code like ECONNRESET.
  // A socket's errno is a number (-111); its code is the name (ECONNREFUSED).
  const code =
    (typeof e.errno === "string" ? e.errno : undefined) ??
    (err instanceof TidegateError ? undefined : e.code);
  const message = (typeof e.message === "string" && e.message.trim()) || printable(err) || "unknown error";
  if (e.name === "TransactionTimedOutError" || code === "ETIMEDOUT" || /timed out/i.test(message)) {
    return { reason: `timeout after ${timeoutMs} ms`, kind: "timeout", reconnect: true, retry: true };
  }
  if (e.name === "CorruptFrameError" || /CRC error|Data length error|Unexpected data error/i.test(message)) {
    return { reason: `corrupt response (${message})`, kind: "corrupt", reconnect: false, retry: true };
  }
  if (code) return { reason: `connection error ${code}`, kind: "connection", reconnect: true, retry: false };
  return { reason: message, kind: "connection", reconnect: true, retry: false };
}
