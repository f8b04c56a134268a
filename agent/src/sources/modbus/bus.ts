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

const ignore = () => {};

export function createBus(transport: ModbusTransport, log: Logger): ModbusBus {
  const label = transport.type === "rtu" ? transport.port : `${transport.host}:${transport.port}`;
  const gapMs = interFrameDelay(transport);
  const backoff = createBackoff({ initialMs: 500, maxMs: 30_000 });
  let line: OpenLine | undefined;
  let nextOpenAt = 0;
  let lastOpenError = "";
  let tail: Promise<unknown> = Promise.resolve();
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

  async function run<T>(unitId: number, timeoutMs: number, fn: (c: ModbusClient) => Promise<T>): Promise<T> {
    // An open line is taken as it is: no promise for the common case.
    const c = line?.client.isOpen ? line.client : await ensureOpen();
    c.setID(unitId);
    c.setTimeout(timeoutMs);
    try {
      return await fn(c);
    } catch (err) {
      const { kind, reconnect } = describeModbusError(err, timeoutMs);
      // On a serial line a timeout means that slave is silent, not that the port is gone; on TCP
      // the connection itself may be dead, so it is opened afresh.
      if (reconnect && !(kind === "timeout" && transport.type !== "tcp")) void drop();
      throw err;
    } finally {
      if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
    }
  }

  return {
    label,
    request<T>(unitId: number, timeoutMs: number, fn: (c: ModbusClient) => Promise<T>): Promise<T> {
      const result = tail.then(() => run(unitId, timeoutMs, fn));
      tail = result.catch(ignore);
      return result;
    },
    hold<T>(fn: () => Promise<T>): Promise<T> {
      const result = tail.then(async () => {
        await drop();
        held = true;
        try {
          return await fn();
        } finally {
          held = false;
          nextOpenAt = 0; // the line was ours to close: no backoff before polling opens it again
        }
      });
      tail = result.catch(ignore);
      return result;
    },
    get held() {
      return held;
    },
    get opened() {
      return opened;
    },
    async close() {
      await tail;
      await drop();
    },
  };
}
