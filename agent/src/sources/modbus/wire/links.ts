import { connect, type Socket } from "node:net";
import type { ModbusTransport } from "../../../config/schema.js";
import { createModbusClient, type ModbusClient } from "./client.js";

/** A Modbus client on its own connection or port, and how to let that go. */
export interface OpenLine {
  client: ModbusClient;
  /** Resolves once the port is free for another opener. */
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 10_000;

function openSocket(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    // An unreachable host would otherwise hold the line for the OS's two minutes.
    socket.setTimeout(CONNECT_TIMEOUT_MS, () =>
      fail(Object.assign(new Error(`connect to ${host}:${port} timed out`), { code: "ETIMEDOUT" })),
    );
    socket.once("error", fail);
    socket.once("connect", () => {
      socket.off("error", fail);
      socket.setTimeout(0);
      resolve(socket);
    });
  });
}

function closeSocket(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    socket.once("close", () => resolve());
    socket.destroy();
  });
}

/** Opens the line `t` describes: a TCP connection (MBAP, or RTU frames over TCP) or a serial port. */
export async function openLine(t: ModbusTransport): Promise<OpenLine> {
  if (t.type !== "rtu") {
    const socket = await openSocket(t.host, t.port);
    const client = createModbusClient(socket, { framing: t.type === "tcp" ? "tcp" : "rtu" });
    return { client, close: () => closeSocket(socket) };
  }
  // Loaded with the first serial line, so an agent without one does not carry serialport in memory.
  const { SerialPort } = await import("serialport");
  const port = new SerialPort({
    path: t.port,
    baudRate: t.baudRate,
    parity: t.parity,
    dataBits: t.dataBits,
    stopBits: t.stopBits,
    autoOpen: false,
  });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  const client = createModbusClient(port, { framing: "rtu" });
  return {
    client,
    close: () =>
      new Promise<void>((resolve) => {
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      }),
  };
}
