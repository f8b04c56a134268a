import { CorruptFrameError, LinkClosedError, TransactionTimedOutError } from "./errors.js";
import { type FrameSpan, findRtuAnswer, findTcpAnswer, writeRtuFrame, writeTcpFrame } from "./frames.js";
import { type DeviceIdPart, FC, MAX_PDU, type PduRequest, parseResponsePdu } from "./pdu.js";

/** A byte stream to a device: a TCP socket or a serial port (both Node streams). */
export interface ModbusLink {
  write(chunk: Buffer): unknown;
  readonly writableLength: number;
  on(event: "data", listener: (chunk: Buffer) => void): unknown;
  on(event: "close", listener: () => void): unknown;
  on(event: "error", listener: (err: Error) => void): unknown;
}

export interface ModbusClientOptions {
  framing: "tcp" | "rtu";
  /**
   * RTU: how long the line must stay quiet after a frame with a bad CRC before it counts as
   * corrupt. Longer than the 3.5 characters of the standard, because USB adapters hand bytes on in
   * bursts every few milliseconds; much shorter than a timeout.
   */
  silenceMs?: number;
}

/**
 * One device line's Modbus master: one request at a time (the bus runs them in turn), one frame
 * buffer for every request, one promise per request.
 */
export interface ModbusClient {
  setID(unitId: number): void;
  setTimeout(ms: number): void;
  readonly isOpen: boolean;
  readHoldingRegisters(address: number, count: number): Promise<number[]>;
  readInputRegisters(address: number, count: number): Promise<number[]>;
  /** Bits as 0/1, exactly `count` of them. */
  readCoils(address: number, count: number): Promise<number[]>;
  readDiscreteInputs(address: number, count: number): Promise<number[]>;
  writeCoil(address: number, on: boolean): Promise<void>;
  writeRegister(address: number, value: number): Promise<void>;
  writeRegisters(address: number, values: readonly number[]): Promise<void>;
  writeCoils(address: number, bits: readonly number[]): Promise<void>;
  /** FC 43/14: the device's identification objects by id (0 vendor, 1 product, 2 revision, …). */
  readDeviceIdentification(code: number, objectId: number): Promise<Record<number, string>>;
}

type Settle = (value: unknown) => void;

export function createModbusClient(link: ModbusLink, options: ModbusClientOptions): ModbusClient {
  const tcp = options.framing === "tcp";
  const silenceMs = options.silenceMs ?? 50;
  let tx = Buffer.alloc(MAX_PDU + 7);
  // Room for an answer behind a burst of noise; older bytes are dropped when more arrive.
  const rx = Buffer.alloc(4 * (MAX_PDU + 7));
  let rxLen = 0;
  const req: PduRequest = { fc: 0, a: 0, b: 0, values: undefined };
  const span: FrameSpan = { unit: 0, pdu: 0, end: 0, consumed: 0 };
  let unit = 1;
  let timeoutMs = 1000;
  let transactionId = 0;
  let open = true;
  let resolve: Settle | undefined;
  let reject: Settle | undefined;
  let timer: NodeJS.Timeout | undefined;
  let silence: NodeJS.Timeout | undefined;
  let corrupt = false;

  const executor = (res: Settle, rej: Settle) => {
    resolve = res;
    reject = rej;
  };

  function settle(err: Error | undefined, value?: unknown): void {
    const res = resolve;
    const rej = reject;
    resolve = reject = undefined;
    clearTimeout(timer);
    clearTimeout(silence);
    corrupt = false;
    if (err) rej?.(err);
    else res?.(value);
  }

  const onTimeout = () => {
    if (!tcp) rxLen = 0;
    settle(
      corrupt
        ? new CorruptFrameError("CRC error (and no good frame after it)")
        : new TransactionTimedOutError(timeoutMs),
    );
  };
  const onSilence = () => {
    rxLen = 0;
    settle(new CorruptFrameError("CRC error"));
  };

  function consume(n: number): void {
    rx.copyWithin(0, n, rxLen);
    rxLen -= n;
  }

  function answer(): void {
    const found = tcp
      ? findTcpAnswer(rx, rxLen, transactionId, span)
      : findRtuAnswer(rx, rxLen, unit, req, span);
    if (found === "desync") {
      rxLen = 0;
      settle(new CorruptFrameError("Data length error: the stream holds no Modbus TCP header"));
      return;
    }
    if (found === "corrupt") {
      corrupt = true;
      clearTimeout(silence);
      silence = setTimeout(onSilence, silenceMs);
      return;
    }
    if (found === "wait") {
      if (tcp) consume(span.consumed);
      return;
    }
    let value: unknown;
    let err: Error | undefined;
    try {
      if (span.unit !== unit)
        throw new CorruptFrameError(`Unexpected data error, expected address ${unit} got ${span.unit}`);
      value = parseResponsePdu(req, rx, span.pdu, span.end);
    } catch (e) {
      err = e as Error;
    }
    // RTU: whatever came before the answer was noise, whatever after it is late.
    if (tcp) consume(span.consumed);
    else rxLen = 0;
    settle(err, value);
  }

  link.on("data", (chunk) => {
    if (!resolve && !tcp) return; // a late answer, or noise between requests
    if (chunk.length > rx.length) chunk = chunk.subarray(chunk.length - rx.length);
    if (rxLen + chunk.length > rx.length) consume(rxLen + chunk.length - rx.length);
    chunk.copy(rx, rxLen);
    rxLen += chunk.length;
    if (resolve) answer();
  });
  link.on("close", () => {
    open = false;
    settle(new LinkClosedError("connection closed", "ECONNRESET"));
  });
  link.on("error", () => {}); // a close follows; the waiting request fails with it

  function send(fc: number, a: number, b: number, values?: readonly number[]): Promise<unknown> {
    if (!open) return Promise.reject(new LinkClosedError("Port Not Open", "ECONNREFUSED"));
    if (resolve) return Promise.reject(new Error("a Modbus request is already waiting on this line"));
    req.fc = fc;
    req.a = a;
    req.b = b;
    req.values = values;
    // A frame still queued in the stream must stay as it is: the next one goes in a buffer of its own.
    if (link.writableLength > 0) tx = Buffer.alloc(tx.length);
    let len: number;
    if (tcp) {
      transactionId = (transactionId + 1) & 0xffff;
      len = writeTcpFrame(tx, transactionId, unit, req);
    } else {
      rxLen = 0;
      len = writeRtuFrame(tx, unit, req);
    }
    const p = new Promise(executor);
    timer = setTimeout(onTimeout, timeoutMs);
    link.write(tx.subarray(0, len));
    return p;
  }

  const read = (fc: number) => (address: number, count: number) =>
    send(fc, address, count) as Promise<number[]>;
  const write = (fc: number) => (address: number, value: number) => send(fc, address, value) as Promise<void>;
  const writeMany = (fc: number) => (address: number, values: readonly number[]) =>
    send(fc, address, values.length, values) as Promise<void>;

  return {
    setID(u) {
      unit = u;
    },
    setTimeout(ms) {
      timeoutMs = ms;
    },
    get isOpen() {
      return open;
    },
    readCoils: read(FC.readCoils),
    readDiscreteInputs: read(FC.readDiscreteInputs),
    readHoldingRegisters: read(FC.readHoldingRegisters),
    readInputRegisters: read(FC.readInputRegisters),
    writeCoil: (address, on) => write(FC.writeCoil)(address, on ? 1 : 0),
    writeRegister: write(FC.writeRegister),
    writeRegisters: writeMany(FC.writeRegisters),
    writeCoils: writeMany(FC.writeCoils),
    async readDeviceIdentification(code, objectId) {
      const objects: Record<number, string> = {};
      // A device that keeps saying "more" is asked at most as many times as there are object ids.
      for (let next: number | undefined = objectId, asked = 0; next !== undefined && asked < 256; asked++) {
        const part = (await send(FC.deviceIdentification, code, next)) as DeviceIdPart;
        Object.assign(objects, part.objects);
        next = part.nextObjectId;
      }
      return objects;
    },
  };
}
