import { performance } from "node:perf_hooks";
import type { Profile, RegisterTable } from "@tidegate/profiles";
import { type IServiceVector, ServerSerial } from "modbus-serial";
import { SimulatedDevice } from "./device.js";
import type { PointValue } from "./encode/index.js";
import { describeLine, type LineSettings, readLineSettings, sameLine } from "./line/line-settings.js";

export interface RtuSlaveOptions {
  unitId: number;
  profile: Profile;
  /** Seeds walk and noise so a run is reproducible. */
  seed?: number;
}

export interface ModbusRtuSimulatorOptions {
  /** The serial device to serve on: one end of a socat PTY pair, or a real adapter. */
  path: string;
  /** The slaves on this bus, each with its own profile and unit id. */
  slaves: readonly RtuSlaveOptions[];
  baudRate?: number;
  /** How often the generators draw new values; default 1000. */
  tickMs?: number;
  /**
   * Models the RS-485 line: the slaves answer only while the master's end is set to `settings`;
   * otherwise they are silent, or with `mismatch: "garbage"` the master receives noise, as a UART
   * at the wrong speed or parity makes of a frame. Without it, a PTY carries every request
   * whatever either end sets. The master's settings come from `master` (see watchTermios), else
   * from `stty -a` on `masterEnd`, which on a Linux PTY shows speed and stop bits but never parity.
   */
  line?: {
    settings: LineSettings;
    mismatch?: "silent" | "garbage";
    masterEnd?: string;
    master?: () => LineSettings | undefined;
  };
}

export interface RtuSlave {
  readonly unitId: number;
  readonly profile: Profile;
  set(pointId: string, value: PointValue): void;
  current(): Record<string, PointValue>;
  served(pointId: string): PointValue[];
}

export interface ModbusRtuSimulator {
  readonly path: string;
  slave(unitId: number): RtuSlave;
  /** Fault injection: a silent slave never answers (the master times out), as a dead or unpowered one. */
  silence(unitId: number, silent: boolean): void;
  /** Registers (or bits) served per unit id, so tests can see who got bus time. */
  registersServed(unitId: number): number;
  /** With `line`: the requests to these slaves not understood, by the master's settings then ("9600 8N1"). */
  misheard(): Record<string, number>;
  close(): Promise<void>;
}

type Callback = (err: unknown, value?: number | boolean) => void;

/**
 * Several Modbus RTU slaves on one serial line, as on an RS-485 bus: requests for unit ids that
 * are not here, or silenced, get no answer at all.
 */
export async function startModbusRtuSimulator(opts: ModbusRtuSimulatorOptions): Promise<ModbusRtuSimulator> {
  const tickMs = opts.tickMs ?? 1000;
  const devices = new Map<number, SimulatedDevice>();
  for (const s of opts.slaves) {
    const device = new SimulatedDevice(s.profile, { seed: s.seed });
    device.tick(0);
    devices.set(s.unitId, device);
  }
  const silent = new Set<number>();
  const served = new Map<number, number>();
  const started = performance.now();
  const line = opts.line;
  let server: ServerSerial | undefined;
  const misheard: Record<string, number> = {};
  // The registers of one request are asked for in one go, so they share one look at the line.
  let looking: Promise<boolean> | undefined;
  const lineAgrees = (): Promise<boolean> => {
    if (!line) return Promise.resolve(true);
    // A moment after the request, so a settings change the master made before writing it (on
    // its way through the watcher's pipe, behind a busy machine) has been read.
    const master = line.master;
    const masterEnd = line.masterEnd;
    const settings = (): Promise<LineSettings | undefined> =>
      master
        ? new Promise((resolve) => setTimeout(() => resolve(master()), 15))
        : masterEnd
          ? readLineSettings(masterEnd)
          : Promise.resolve(undefined);
    looking ??= settings().then((s) => {
      looking = undefined;
      const ok = s !== undefined && sameLine(s, line.settings);
      if (!ok) {
        const key = s ? describeLine(s) : "unreadable";
        misheard[key] = (misheard[key] ?? 0) + 1;
        if (line.mismatch === "garbage") sendNoise();
      }
      return ok;
    });
    return looking;
  };
  let noiseSeed = opts.slaves[0]?.seed ?? 7;
  function sendNoise() {
    // A frame at the wrong speed arrives as a few bytes of nothing in particular.
    const bytes = Buffer.alloc(3 + (noiseSeed % 5));
    for (let i = 0; i < bytes.length; i++) {
      noiseSeed = (noiseSeed * 1103515245 + 12345) & 0x7fffffff;
      bytes[i] = noiseSeed & 0xff;
    }
    (server as unknown as { _serverPath?: { write(b: Buffer): void } })?._serverPath?.write(bytes);
  }

  // Callback-style getters (three parameters): modbus-serial answers only when the callback runs,
  // so a silent slave simply never calls it. Values are read synchronously, so a tick cannot land
  // between the two words of a float.
  const reader =
    (table: RegisterTable, asBool: boolean) =>
    (addr: number, unitID: number, cb: Callback): void => {
      const device = devices.get(unitID);
      if (!device || silent.has(unitID)) return;
      const answer = () => {
        served.set(unitID, (served.get(unitID) ?? 0) + 1);
        try {
          const word = device.read(table, addr);
          cb(null, asBool ? word === 1 : word);
        } catch (err) {
          cb(err);
        }
      };
      if (!line) answer();
      else
        void lineAgrees().then((ok) => {
          if (ok) answer();
        });
    };
  const vector = {
    getInputRegister: reader("input", false),
    getHoldingRegister: reader("holding", false),
    getCoil: reader("coil", true),
    getDiscreteInput: reader("discrete", true),
  } as unknown as IServiceVector;

  server = await new Promise<ServerSerial>((resolve, reject) => {
    const s = new ServerSerial(vector, {
      path: opts.path,
      baudRate: opts.baudRate ?? 9600,
      unitID: 255, // every unit id reaches the vector, which decides who answers
      openCallback: (err: Error | null) => (err ? reject(err) : resolve(s)),
    });
    s.on("error", () => {}); // a closed PTY end is the test's doing, not the simulator's fault
  });

  const timer = setInterval(() => {
    const t = (performance.now() - started) / 1000;
    for (const d of devices.values()) d.tick(t);
  }, tickMs);
  timer.unref();

  let closing: Promise<void> | undefined;
  return {
    path: opts.path,
    slave(unitId) {
      const device = devices.get(unitId);
      if (!device) throw new Error(`no slave with unit id ${unitId} on ${opts.path}`);
      return {
        unitId,
        profile: device.profile,
        set: (pointId, value) => device.set(pointId, value),
        current: () => device.current(),
        served: (pointId) => device.served(pointId),
      };
    },
    silence(unitId, on) {
      if (on) silent.add(unitId);
      else silent.delete(unitId);
    },
    registersServed: (unitId) => served.get(unitId) ?? 0,
    misheard: () => ({ ...misheard }),
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(timer);
        (server as ServerSerial).close(() => resolve());
      });
      return closing;
    },
  };
}
