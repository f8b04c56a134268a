import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { crc16 } from "./crc16.js";
import { type OpenLine, openLine } from "./links.js";

// The client over a real TCP socket, against a server that answers with bytes of its choosing.

let server: Server | undefined;
let line: OpenLine | undefined;
afterEach(async () => {
  await line?.close();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = line = undefined;
});

/** A server that hands each request (as bytes) to `answer`, which writes what it likes back. */
async function serve(answer: (req: Buffer, socket: Socket) => void): Promise<number> {
  const s = createServer((socket) => socket.on("data", (req) => answer(req, socket)));
  server = s;
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return (s.address() as { port: number }).port;
}

const mbap = (req: Buffer, pdu: number[]) =>
  Buffer.from([req[0] as number, req[1] as number, 0, 0, 0, pdu.length + 1, req[6] as number, ...pdu]);

describe("Modbus client over TCP", () => {
  it("reads registers from an answer that arrives in pieces, behind a late answer to an earlier request", async () => {
    const port = await serve((req, socket) => {
      const late = Buffer.from([0, 0, 0, 0, 0, 7, 1, 4, 4, 9, 9, 9, 9]); // transaction 0: not asked
      const whole = Buffer.concat([late, mbap(req, [4, 4, 0x12, 0x34, 0xab, 0xcd])]);
      socket.write(whole.subarray(0, 9));
      setTimeout(() => socket.write(whole.subarray(9)), 20);
    });
    line = await openLine({ type: "tcp", host: "127.0.0.1", port });
    expect(await line.client.readInputRegisters(0, 2)).toEqual([0x1234, 0xabcd]);
  });

  it("fails with the device's exception, then with a timeout when it is silent, and answers after both", async () => {
    let n = 0;
    const port = await serve((req, socket) => {
      n += 1;
      if (n === 1) socket.write(mbap(req, [0x83, 2]));
      else if (n === 3) socket.write(mbap(req, [3, 2, 0, 42]));
    });
    line = await openLine({ type: "tcp", host: "127.0.0.1", port });
    const c = line.client;
    c.setTimeout(200);
    await expect(c.readHoldingRegisters(7, 1)).rejects.toMatchObject({ modbusCode: 2 });
    await expect(c.readHoldingRegisters(7, 1)).rejects.toMatchObject({ name: "TransactionTimedOutError" });
    expect(await c.readHoldingRegisters(7, 1)).toEqual([42]);
  });

  it("calls garbage on the stream corrupt, and a closed connection closed", async () => {
    let n = 0;
    const port = await serve((_req, socket) => {
      n += 1;
      if (n === 1) socket.write(Buffer.from("HTTP/1.1 400 Bad Request\r\n\r\n"));
      else socket.destroy();
    });
    line = await openLine({ type: "tcp", host: "127.0.0.1", port });
    const c = line.client;
    await expect(c.readHoldingRegisters(0, 1)).rejects.toMatchObject({ name: "CorruptFrameError" });
    await expect(c.readHoldingRegisters(0, 1)).rejects.toMatchObject({ errno: "ECONNRESET" });
    expect(c.isOpen).toBe(false);
    await expect(c.readHoldingRegisters(0, 1)).rejects.toMatchObject({ errno: "ECONNREFUSED" });
  });

  it("writes registers and reads device identification over several answers", async () => {
    const port = await serve((req, socket) => {
      const fc = req[7];
      if (fc === 16) socket.write(mbap(req, [...req.subarray(7, 12)]));
      else if (fc === 43 && req[10] === 0)
        socket.write(mbap(req, [43, 14, 1, 1, 0xff, 1, 1, 0, 4, ...Buffer.from("Acme")]));
      else if (fc === 43) socket.write(mbap(req, [43, 14, 1, 1, 0, 0, 1, 1, 2, ...Buffer.from("M1")]));
    });
    line = await openLine({ type: "tcp", host: "127.0.0.1", port });
    await line.client.writeRegisters(10, [1, 2]);
    expect(await line.client.readDeviceIdentification(1, 0)).toEqual({ 0: "Acme", 1: "M1" });
  });
});

describe("Modbus client with RTU frames over TCP", () => {
  it("waits out the line's silence after a bad CRC, then calls the answer corrupt", async () => {
    const port = await serve((req, socket) => {
      const frame = Buffer.from([req[0] as number, 3, 2, 0, 42, 0, 0]);
      frame.writeUInt16LE(crc16(frame, 0, 5) ^ 1, 5);
      socket.write(frame);
    });
    line = await openLine({ type: "rtu-over-tcp", host: "127.0.0.1", port });
    line.client.setTimeout(5000);
    await expect(line.client.readHoldingRegisters(0, 1)).rejects.toMatchObject({
      name: "CorruptFrameError",
      message: "CRC error",
    });
  });
});
