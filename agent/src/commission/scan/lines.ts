import type { Logger } from "pino";
import type { ModbusTransport } from "../../config/schema.js";
import { createBus, type ModbusBus } from "../../sources/modbus/bus.js";
import { describeModbusError } from "../../sources/modbus/errors.js";
import type { ProbeLine, ProbeOutcome } from "./sweep.js";

/** A TCP gateway's own "no device at this id" (10: path unavailable, 11: target failed to respond). */
const GATEWAY_NO_TARGET = new Set([10, 11]);

/**
 * Asks a unit id for holding register 0: any device answers, with data or with an exception
 * (illegal address, illegal function), and either proves a device with that id is there.
 */
export function busProbeLine(bus: ModbusBus): ProbeLine {
  const ask = async (unitId: number, timeoutMs: number): Promise<ProbeOutcome> => {
    try {
      await bus.request(unitId, timeoutMs, (c) => c.readHoldingRegisters(0, 1));
      return "device";
    } catch (err) {
      const code = (err as { modbusCode?: number }).modbusCode;
      if (typeof code === "number") return GATEWAY_NO_TARGET.has(code) ? "silent" : "device";
      const { kind } = describeModbusError(err, timeoutMs);
      if (kind === "corrupt") return "noise";
      if (kind === "timeout") return "silent";
      throw err; // the port or the connection itself failed: the scan says why
    }
  };
  return {
    bus,
    // A garbled answer is asked again once: on a shared line it may be a poll's late reply
    // crossing this request, not noise from a device at another setting.
    async probe(unitId, timeoutMs) {
      const first = await ask(unitId, timeoutMs);
      return first === "noise" ? ask(unitId, timeoutMs) : first;
    },
  };
}

/** Opens a line of its own at `transport`'s settings for `body`, and closes it after (also on failure). */
export async function withOwnLine<T>(
  transport: ModbusTransport,
  log: Logger,
  body: (line: ProbeLine) => Promise<T>,
): Promise<T> {
  const bus = createBus(transport, log);
  try {
    return await body(busProbeLine(bus));
  } finally {
    await bus.close();
  }
}
