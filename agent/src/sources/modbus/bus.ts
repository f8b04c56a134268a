import { createBackoff } from "@tidegate/node-kit";
import { TidegateError } from "@tidegate/protocol";
import type { Logger } from "pino";
import type { ModbusTransport } from "../../config/schema.js";
import { describeSerialOpenError } from "../serial-port.js";
import { describeModbusError } from "./errors.js";
import type { ModbusClient } from "./wire/client.js";
import { type OpenLine, openLine } from "./wire/links.js";

/**
 * One Modbus line: a serial port, or a TCP endpoint. Every device on it shares its connection, and
 * requests are serialized with a quiet gap between them, because an RS-485 bus carries one frame
 * at a time and many TCP gateways answer one request at a time. Each request carries its own
 * unit id and timeout, so a dead slave costs the others at most its own timeout.
 */
export interface ModbusBus {
  /** Where the bus goes, for messages: "/dev/ttyUSB0", "10.0.0.5:502". */
  readonly label: string;
  request<T>(unitId: number, timeoutMs: number, fn: (client: ModbusClient) => Promise<T>): Promise<T>;
  /**
   * The line for `fn` alone, with the port closed: requests wait behind it, and the next one opens
   * the port again with the bus's own settings, also when `fn` fails. A commissioning scan sweeps
   * other baud rates in here (polling on this line paused meanwhile, and only this line).
   */
  hold<T>(fn: () => Promise<T>): Promise<T>;
  /** While a hold runs: polling on this line waits. */
  readonly held: boolean;
  /**
   * How many times the line has been opened. A change means a new connection, behind which the
   * device may have restarted with another layout (SunSpec devices are then discovered again).
   */
  readonly opened: number;
  close(): Promise<void>;
}

/** Devices with equal keys share one bus. */
export function busKey(t: ModbusTransport): string {
  return t.type === "rtu" ? `rtu:${t.port}` : `${t.type}:${t.host}:${t.port}`;
}

export class BusUnavailableError extends TidegateError {
  override name = "BusUnavailableError";
  readonly code = "modbus.bus-unavailable";
}

function interFrameDelay(t: ModbusTransport): number {
  if (t.type === "tcp") return 0;
  if (t.interFrameDelayMs !== undefined) return t.interFrameDelayMs;
  // 3.5 characters of 11 bits each is the RTU frame gap; below 2 ms USB adapters jitter more than that.
  const baud = t.type === "rtu" ? t.baudRate : 19_200;
  return Math.max(2, Math.ceil((3.5 * 11 * 1000) / baud));
}

/** Why a line could not be opened, in words a technician can act on. */
function openErrorReason(err: unknown): string {
  return describeSerialOpenError(err) ?? describeModbusError(err, 0).reason;
}

/** A queued request (fn), hold (hold), or close() barrier (neither). */
interface Job {
  unitId: number;
  timeoutMs: number;
  fn: ((c: ModbusClient) => Promise<unknown>) | undefined;
  hold: (() => Promise<unknown>) | undefined;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export function createBus(transport: ModbusTransport, log: Logger): ModbusBus {
  const label = transport.type === "rtu" ? transport.port : `${transport.host}:${transport.port}`;
  const gapMs = interFrameDelay(transport);
  const backoff = createBackoff({ initialMs: 500, maxMs: 30_000 });
  let line: OpenLine | undefined;
  let nextOpenAt = 0;
  let lastOpenError = "";
  let held = false;
  let opened = 0;

  async function ensureOpen(): Promise<ModbusClient> {
    if (line?.client.isOpen) return line.client;
    if (Date.now() < nextOpenAt)
      throw new BusUnavailableError(
        `cannot open ${label}: ${lastOpenError}; retrying in ${Math.ceil((nextOpenAt - Date.now()) / 1000)} s`,
      );
    try {
      line = await openLine(transport);
      opened += 1;
      backoff.reset();
      log.info({ bus: label, transport: transport.type }, "modbus bus open");
      return line.client;
    } catch (err) {
      line = undefined;
      lastOpenError = openErrorReason(err);
      nextOpenAt = Date.now() + backoff.next();
      throw new BusUnavailableError(`cannot open ${label}: ${lastOpenError}`);
    }
  }

  /** Closes the connection; resolves once the port is free for another opener. */
  function drop(): Promise<void> {
    const l = line;
    line = undefined;
    if (!l) return Promise.resolve();
    // A dead port may never call back; a second is plenty for a port to close.
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      void l.close().then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  // The scheduler: one queue, one job at a time. A request costs its caller's promise and the one
  // `then` on fn's answer; the job that runs is `current`, so the handlers below are shared, not
  // closures per request (a promise chain per request was ~1.1 kB of garbage).
  const queue: Job[] = [];
  let current: Job | undefined;
  let outcomeOk = false;
  let outcome: unknown;
  let scheduled = false;

  // A microtask, as the chain's `then` was: the caller's code after `request()` runs before fn.
  function schedule() {
    if (scheduled || current) return;
    scheduled = true;
    queueMicrotask(pump);
  }

  function pump() {
    scheduled = false;
    if (current) return;
    const job = queue.shift();
    if (!job) return;
    current = job;
    if (job.hold) {
      void runHold(job.hold);
      return;
    }
    if (!job.fn) return settle(true, undefined); // a close() barrier: everything before it is done
    const open = line?.client.isOpen ? line.client : undefined;
    if (open) call(open);
    else ensureOpen().then(call, settleNow);
  }

  function call(c: ModbusClient) {
    const job = current as Job;
    c.setID(job.unitId);
    c.setTimeout(job.timeoutMs);
    let answer: Promise<unknown>;
    try {
      answer = (job.fn as (c: ModbusClient) => Promise<unknown>)(c);
    } catch (err) {
      return failed(err);
    }
    answer.then(succeeded, failed);
  }

  function succeeded(value: unknown) {
    afterRequest(true, value);
  }

  function failed(err: unknown) {
    const { kind, reconnect } = describeModbusError(err, (current as Job).timeoutMs);
    // On a serial line a timeout means that slave is silent, not that the port is gone; on TCP
    // the connection itself may be dead, so it is opened afresh.
    if (reconnect && !(kind === "timeout" && transport.type !== "tcp")) void drop();
    afterRequest(false, err);
  }

  /** The quiet gap follows every request that reached the line, before its caller hears back. */
  function afterRequest(ok: boolean, value: unknown) {
    if (gapMs <= 0) return settle(ok, value);
    outcomeOk = ok;
    outcome = value;
    setTimeout(settleOutcome, gapMs);
  }

  function settleOutcome() {
    const value = outcome;
    outcome = undefined;
    settle(outcomeOk, value);
  }

  /** A line that would not open answers at once: nothing went over it, so no gap. */
  function settleNow(err: unknown) {
    settle(false, err);
  }

  function settle(ok: boolean, value: unknown) {
    const job = current as Job;
    current = undefined;
    if (ok) job.resolve(value);
    else job.reject(value);
    if (queue.length > 0) schedule();
  }

  async function runHold(fn: () => Promise<unknown>) {
    try {
      await drop();
      held = true;
      try {
        settle(true, await fn());
      } finally {
        held = false;
        nextOpenAt = 0; // the line was ours to close: no backoff before polling opens it again
      }
    } catch (err) {
      settle(false, err);
    }
  }

  function enqueue<T>(unitId: number, timeoutMs: number, fn: Job["fn"], hold: Job["hold"]): Promise<T> {
    const result = new Promise<T>((resolve, reject) => {
      queue.push({ unitId, timeoutMs, fn, hold, resolve: resolve as (value: unknown) => void, reject });
    });
    schedule();
    return result;
  }

  return {
    label,
    request<T>(unitId: number, timeoutMs: number, fn: (c: ModbusClient) => Promise<T>): Promise<T> {
      return enqueue<T>(unitId, timeoutMs, fn, undefined);
    },
    hold<T>(fn: () => Promise<T>): Promise<T> {
      return enqueue<T>(0, 0, undefined, fn);
    },
    get held() {
      return held;
    },
    get opened() {
      return opened;
    },
    async close() {
      await enqueue(0, 0, undefined, undefined);
      await drop();
    },
  };
}
