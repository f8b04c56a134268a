import { type AddressInfo, createServer, type Server } from "node:net";
import { performance } from "node:perf_hooks";
import type { Profile, RegisterTable } from "@tidegate/profiles";
import { type IServiceVector, ServerTCP } from "modbus-serial";
import { SimulatedDevice } from "./device.js";
import type { PointValue } from "./encode/index.js";

export interface ModbusTcpSimulatorOptions {
  profile: Profile;
  /** 0 (the default) picks a free port; read the result from `simulator.port`. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default profile.defaults.unitId. 0 makes the server answer every unit id (modbus-serial's 255). */
  unitId?: number;
  /** How often the generators draw new values; default 1000. */
  tickMs?: number;
  /** Seeds walk and noise so a run is reproducible. */
  seed?: number;
}

export interface ModbusTcpSimulator {
  readonly profile: Profile;
  readonly host: string;
  /** The port actually bound. */
  readonly port: number;
  readonly unitId: number;
  /** Pins a point to a value (its generator stops); served from the next request on. */
  set(pointId: string, value: PointValue): void;
  /** The quantized values currently in the registers, by point id. */
  current(): Record<string, PointValue>;
  /** Every distinct quantized value the point has held, oldest first, at most the last 10,000. */
  served(pointId: string): PointValue[];
  /** Fault injection: serves `value` for the next `ticks` ticks, then the point moves on (a spike). */
  spike(pointId: string, value: PointValue, ticks?: number): void;
  /** Fault injection: cuts every client connection, as a device rebooting or a switch port flapping. */
  dropClients(): number;
  /** Fault injection: reads touching this address get exception `code` (2 by default); null lifts it. */
  refuse(table: RegisterTable, address: number, code?: number | null): void;
  /** Fault injection: the device stops answering reads (they time out at the client) until lifted. */
  silence(on: boolean): void;
  /** Stops ticking, drops client connections and frees the port. */
  close(): Promise<void>;
}

/** Asks the OS for a free port, because modbus-serial's ServerTCP turns port 0 into 502. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen({ port: 0, host }, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function open(vector: IServiceVector, host: string, port: number, unitId: number): Promise<ServerTCP> {
  return new Promise((resolve, reject) => {
    const server = new ServerTCP(vector, { host, port, unitID: unitId });
    const onError = (err: Error | null) => reject(err);
    server.once("serverError", onError);
    server.once("initialized", () => {
      server.off("serverError", onError);
      resolve(server);
    });
  });
}

/** The net.Server inside ServerTCP (not in its typings) tells the port really bound. */
function boundPort(server: ServerTCP, fallback: number): number {
  const inner = (server as unknown as { _server?: Server })._server;
  const address = inner?.address();
  return address && typeof address === "object" ? address.port : fallback;
}

async function listen(
  vector: IServiceVector,
  host: string,
  port: number,
  unitId: number,
): Promise<ServerTCP> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await open(vector, host, port === 0 ? await freePort(host) : port, unitId);
    } catch (err) {
      // Another process can grab the probed port before we bind it; probing again is enough.
      const lostRace = port === 0 && (err as NodeJS.ErrnoException).code === "EADDRINUSE";
      if (!lostRace || attempt >= 5) throw err;
    }
  }
}

export async function startModbusTcpSimulator(opts: ModbusTcpSimulatorOptions): Promise<ModbusTcpSimulator> {
  const { profile, host = "127.0.0.1", tickMs = 1000 } = opts;
  const unitId = opts.unitId ?? profile.defaults.unitId;
  const device = new SimulatedDevice(profile, { seed: opts.seed });
  const started = performance.now();
  device.tick(0);

  // Plain synchronous functions of at most 3 parameters: modbus-serial then reads a whole request
  // in one loop, so a tick can never land between the two words of a float.
  // A silent device: modbus-serial awaits a returned promise, and one that never settles sends no answer.
  let silent = false;
  const never = () => new Promise<never>(() => {}) as unknown as number & boolean;
  const vector: IServiceVector = {
    getInputRegister: (addr: number) => (silent ? never() : device.read("input", addr)),
    getHoldingRegister: (addr: number) => (silent ? never() : device.read("holding", addr)),
    // Reads of two or more registers arrive whole, so the device's read limit applies per request.
    getMultipleInputRegisters: (addr: number, length: number) =>
      silent ? Array.from({ length }, never) : device.readMany("input", addr, length),
    getMultipleHoldingRegisters: (addr: number, length: number) =>
      silent ? Array.from({ length }, never) : device.readMany("holding", addr, length),
    getCoil: (addr: number) => (silent ? never() : device.read("coil", addr) === 1),
    getDiscreteInput: (addr: number) => (silent ? never() : device.read("discrete", addr) === 1),
    setRegister: (addr: number, value: number) => device.write("holding", addr, [value]),
    // FC16 arrives whole, so a multi-register value is checked and pinned once, not word by word.
    setRegisterArray: (addr: number, values: number[]) => device.write("holding", addr, values),
    setCoil: (addr: number, value: boolean) => device.write("coil", addr, [value ? 1 : 0]),
  };
  const server = await listen(vector, host, opts.port ?? 0, unitId);
  // A client resetting its connection is its own business; the simulator keeps serving the others.
  server.on("socketError", () => {});
  server.on("error", () => {});
  const port = boundPort(server, opts.port ?? 0);

  const timer = setInterval(() => device.tick((performance.now() - started) / 1000), tickMs);
  timer.unref(); // the listening socket keeps the process alive, the timer alone should not

  let closing: Promise<void> | undefined;
  return {
    profile,
    host,
    port,
    unitId,
    set: (pointId, value) => device.set(pointId, value),
    current: () => device.current(),
    served: (pointId) => device.served(pointId),
    refuse: (table, address, code) => device.refuse(table, address, code),
    silence(on) {
      silent = on;
    },
    spike: (pointId, value, ticks) => device.spike(pointId, value, ticks),
    dropClients() {
      const sockets = [...server.socks.keys()];
      for (const socket of sockets) socket.destroy();
      return sockets.length;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(timer);
        // ServerTCP destroys every client socket right after closing the listener, so this resolves
        // once the port is really free.
        server.close(() => resolve());
      });
      return closing;
    },
  };
}
