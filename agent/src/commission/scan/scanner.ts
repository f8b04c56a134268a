import { type AnyProfile, modbusProfiles, type Profile } from "@tidegate/profiles";
import { TidegateError } from "@tidegate/protocol";
import type { Logger } from "pino";
import type { DeviceConfig, ModbusTransport } from "../../config/schema.js";
import type { SourcesLifecycle } from "../../sources/lifecycle.js";
import { busKey, type ModbusBus } from "../../sources/modbus/bus.js";
import { identifyDevice } from "../identify/identify-device.js";
import { busProbeLine, withOwnLine } from "./lines.js";
import { answerTimeoutMs, type SerialSetting, serialSettings, settingLabel, unitIdOrder } from "./plan.js";
import { type ScanRequest, type ScanRequestInput, scanRequestSchema } from "./request.js";
import { type SweepProgress, type SweepStep, startingProgress, sweep } from "./sweep.js";

export class ScanBusyError extends TidegateError {
  override name = "ScanBusyError";
  readonly code = "scan.busy";
}

export interface ScanState {
  id: number;
  state: "running" | "done" | "cancelled" | "failed";
  target: string;
  startedAt: number;
  finishedAt?: number;
  progress: SweepProgress;
  /** Settings left out because polling on the port would have to pause and the operator did not agree. */
  skipped: string[];
  error?: string;
}

/** What the scanner needs of the running agent: its devices (to share their lines) and profiles. */
export interface ScanContext {
  loaded(): { config: { devices: readonly DeviceConfig[] }; library: { all(): Map<string, AnyProfile> } };
  modbusTarget: SourcesLifecycle["modbusTarget"];
}

interface SharedLine {
  bus: ModbusBus;
  transport: Extract<ModbusTransport, { type: "rtu" }>;
}

const sameSerial = (t: SharedLine["transport"], s: SerialSetting) =>
  t.baudRate === s.baudRate &&
  t.parity === s.parity &&
  t.dataBits === s.dataBits &&
  t.stopBits === s.stopBits;

/**
 * The commissioning scan: one at a time, its result kept until the next one starts. A port that
 * configured devices use is shared with their bus: its own setting is swept between their polls
 * (through the bus queue, never a second open of the port), other settings only with
 * `pausePolling`, holding the bus so polling waits, and handing it back after, whatever happens.
 */
export function createScanner(lifecycle: ScanContext, log: Logger, o: { leaseMs?: number } = {}) {
  let current: ScanState | undefined;
  let abort: AbortController | undefined;
  let running: Promise<void> | undefined;
  let nextId = 1;
  let lastSeen = 0;
  const leaseMs = o.leaseMs ?? 30_000;

  const profiles = (): Profile[] => modbusProfiles(lifecycle.loaded().library.all());

  function sharedLine(transport: ModbusTransport): SharedLine | undefined {
    if (transport.type !== "rtu") return undefined;
    for (const d of lifecycle.loaded().config.devices) {
      if (d.transport.type !== "rtu" || busKey(d.transport) !== busKey(transport)) continue;
      const target = lifecycle.modbusTarget(d.id);
      if (target) return { bus: target.bus, transport: d.transport };
    }
    return undefined;
  }

  function plan(req: ScanRequest): { target: string; steps: SweepStep[]; skipped: string[] } {
    const likelyIds = profiles().map((p) => p.defaults.unitId);
    const ids = unitIdOrder(likelyIds, req.unitIds);
    if ("host" in req) {
      const transport = { type: "tcp" as const, host: req.host, port: req.port };
      return {
        target: `${req.host}:${req.port}`,
        skipped: [],
        steps: [
          {
            setting: "tcp",
            unitIds: ids,
            timeoutMs: req.timeoutMs ?? 300,
            run: (body) => withOwnLine(transport, log, body),
          },
        ],
      };
    }
    const settings = serialSettings({
      profileBauds: profiles().flatMap((p) => (p.defaults.baudRate ? [p.defaults.baudRate] : [])),
      bauds: req.bauds,
      framings: req.framings,
    });
    const probeTransport = (s: SerialSetting) => ({ type: "rtu" as const, port: req.serial, ...s });
    const shared = sharedLine(probeTransport(settings[0] as SerialSetting));
    const skipped: string[] = [];
    const steps: SweepStep[] = [];
    const own = shared && settings.find((s) => sameSerial(shared.transport, s));
    // The bus's own setting first: devices already there answer at it, and it costs no pause.
    if (own) settings.splice(0, settings.length, own, ...settings.filter((s) => s !== own));
    for (const s of settings) {
      const setting = settingLabel(s);
      const timeoutMs = req.timeoutMs ?? answerTimeoutMs(s.baudRate);
      const base = { setting, serial: s, unitIds: ids, timeoutMs };
      if (!shared) steps.push({ ...base, run: (body) => withOwnLine(probeTransport(s), log, body) });
      else if (sameSerial(shared.transport, s))
        steps.push({ ...base, run: (body) => body(busProbeLine(shared.bus)) });
      else if (req.pausePolling)
        steps.push({
          ...base,
          pausesPolling: true,
          run: (body) => shared.bus.hold(() => withOwnLine(probeTransport(s), log, body)),
        });
      else skipped.push(setting);
    }
    return { target: req.serial, steps, skipped };
  }

  /** Ranks the profiles for every device found, on the line and setting it answered at. */
  async function identifyAll(state: ScanState, steps: SweepStep[], signal: AbortSignal) {
    for (const step of steps) {
      const here = state.progress.found.filter((f) => f.setting === step.setting);
      if (here.length === 0) continue;
      // Whole blocks of up to 125 registers: about 0.3 s on the wire at 9600 baud.
      const timeoutMs = step.serial ? 300 + Math.ceil((300 * 9600) / step.serial.baudRate) : 1000;
      await step.run(async (line) => {
        for (const f of here) {
          if (signal.aborted || !line.bus) return;
          state.progress = { ...state.progress, current: `identifying unit ${f.unitId}` };
          f.candidates = await identifyDevice(line.bus, f.unitId, profiles(), { timeoutMs });
        }
      });
    }
  }

  async function run(state: ScanState, steps: SweepStep[], req: ScanRequest, signal: AbortSignal) {
    try {
      state.progress = await sweep(steps, {
        signal,
        allSettings: "serial" in req && req.allSettings,
        onProgress: (p) => {
          state.progress = p;
        },
      });
      if (req.identify && !signal.aborted) await identifyAll(state, steps, signal);
      state.state = signal.aborted ? "cancelled" : "done";
    } catch (err) {
      state.state = "failed";
      state.error = (err as Error).message;
      state.progress = { ...state.progress, pollingPaused: false, current: undefined, etaMs: 0 };
    } finally {
      state.finishedAt = Date.now();
      log.info(
        { target: state.target, state: state.state, found: state.progress.found.length },
        "commissioning scan finished",
      );
    }
  }

  // A scan that pauses polling needs someone watching: if nobody has asked for it in leaseMs
  // (the browser went away), it is cancelled and polling resumes.
  const watchdog = setInterval(
    () => {
      if (current?.state === "running" && current.progress.pollingPaused && Date.now() - lastSeen > leaseMs)
        abort?.abort();
    },
    Math.min(leaseMs, 5000),
  );
  watchdog.unref();

  return {
    /** Starts a scan; refused while one runs. Resolves with the new scan's first state. */
    start(input: ScanRequestInput): ScanState {
      const req = scanRequestSchema.parse(input);
      if (current?.state === "running")
        throw new ScanBusyError(`a scan of ${current.target} is running; cancel it first`);
      const { target, steps, skipped } = plan(req);
      abort = new AbortController();
      lastSeen = Date.now();
      const state: ScanState = {
        id: nextId++,
        state: "running",
        target,
        startedAt: Date.now(),
        skipped,
        progress: startingProgress(steps),
      };
      current = state;
      log.info({ target, settings: steps.length, skipped: skipped.length }, "commissioning scan started");
      running = run(state, steps, req, abort.signal);
      return view(state);
    },
    status(): ScanState | undefined {
      lastSeen = Date.now();
      return current && view(current);
    },
    cancel(): boolean {
      if (current?.state !== "running") return false;
      abort?.abort();
      return true;
    },
    /** Resolves when the running scan (if any) has finished. */
    async settled(): Promise<void> {
      await running;
    },
    stop() {
      clearInterval(watchdog);
      abort?.abort();
    },
  };
}

const view = (s: ScanState): ScanState => structuredClone(s);
export type Scanner = ReturnType<typeof createScanner>;
