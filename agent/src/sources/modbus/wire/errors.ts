// What a request on the wire can end in besides an answer. describeModbusError (../errors.ts)
// turns these into a bad reading's reason and into what the bus does next.

const EXCEPTION_TEXT: Record<number, string> = {
  1: "Illegal function",
  2: "Illegal data address",
  3: "Illegal data value",
  4: "Slave device failure",
  5: "Acknowledge",
  6: "Slave device busy",
  10: "Gateway path unavailable",
  11: "Gateway target device failed to respond",
};

/** The device answered with a Modbus exception response. */
export class ModbusExceptionError extends Error {
  override name = "ModbusExceptionError";
  constructor(readonly modbusCode: number) {
    super(`Modbus exception ${modbusCode}: ${EXCEPTION_TEXT[modbusCode] ?? "Unknown error"}`);
  }
}

/** Bytes came back that are no answer to the request: a bad CRC, a wrong length or function. */
export class CorruptFrameError extends Error {
  override name = "CorruptFrameError";
}

/** No answer within the request's timeout. */
export class TransactionTimedOutError extends Error {
  override name = "TransactionTimedOutError";
  readonly errno = "ETIMEDOUT";
  constructor(timeoutMs: number) {
    super(`Timed out after ${timeoutMs} ms`);
  }
}

/** The connection or port is not open, or closed while a request waited. */
export class LinkClosedError extends Error {
  override name = "LinkClosedError";
  constructor(
    message: string,
    readonly errno: string,
  ) {
    super(message);
  }
}
