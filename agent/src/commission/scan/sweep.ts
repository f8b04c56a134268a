import type { ModbusBus } from "../../sources/modbus/bus.js";
import type { Candidate } from "../identify/identify-device.js";
import { type SerialSetting, settingLabel } from "./plan.js";

/** What one request to one unit id brought back. */
export type ProbeOutcome =
  /** A reply, data or a Modbus exception: a device with this id is there, at this setting. */
  | "device"
  /** Bytes that are no frame (CRC, length): something is on the line, perhaps at another setting. */
  | "noise"
  /** Nothing within the answer time, or a TCP gateway saying its target did not answer. */
  | "silent";

/** A line opened at one setting, asked one unit id at a time. */
export interface ProbeLine {
  probe(unitId: number, timeoutMs: number): Promise<ProbeOutcome>;
  /** The bus behind it, for reading a found device further (identify). */
  bus?: ModbusBus;
}

/** One setting of one line to sweep: `run` opens the line for it (and closes or hands it back). */
export interface SweepStep {
  /** "9600 8E1", or "tcp" for a Modbus TCP host. */
  setting: string;
  serial?: SerialSetting;
  unitIds: readonly number[];
  timeoutMs: number;
  /** Runs `body` with the line open at this setting; polling on a shared line may pause meanwhile. */
  run<T>(body: (line: ProbeLine) => Promise<T>): Promise<T>;
  /** Polling paused on this line while the step runs (a shared port at another baud rate). */
  pausesPolling?: boolean;
}

export interface FoundDevice {
  unitId: number;
  setting: string;
  serial?: SerialSetting;
  /** The profiles that fit best, best first, once identified. */
  candidates?: Candidate[];
}

export interface SweepProgress {
  settingsTotal: number;
  settingsDone: number;
  current?: string;
  idsTried: number;
  idsTotal: number;
  found: FoundDevice[];
  /** Replies that were no frame, by setting: a device may be there at another setting. */
  noise: Record<string, number>;
  /** Rough: the ids still to try at their answer time. */
  etaMs: number;
  pollingPaused: boolean;
}

/** Where a sweep of `steps` starts: nothing tried, every id's answer time still to come. */
export function startingProgress(steps: readonly SweepStep[]): SweepProgress {
  return {
    settingsTotal: steps.length,
    settingsDone: 0,
    idsTried: 0,
    idsTotal: steps.reduce((n, s) => n + s.unitIds.length, 0),
    found: [],
    noise: {},
    etaMs: steps.reduce((n, s) => n + s.unitIds.length * s.timeoutMs, 0),
    pollingPaused: false,
  };
}

/**
 * Sweeps the steps in order, every unit id of each. Devices on one RS-485 bus share one setting
 * (the master talks at one speed), so once a setting found devices the sweep ends after it,
 * unless `allSettings`. Checks `signal` between requests, so a cancel costs at most one answer time.
 */
export async function sweep(
  steps: readonly SweepStep[],
  o: { signal: AbortSignal; allSettings?: boolean; onProgress?: (p: SweepProgress) => void },
): Promise<SweepProgress> {
  const p = startingProgress(steps);
  let remainingMs = p.etaMs;
  const report = () => o.onProgress?.({ ...p, found: [...p.found], noise: { ...p.noise } });
  for (const step of steps) {
    if (o.signal.aborted) break;
    p.current = step.setting;
    p.pollingPaused = Boolean(step.pausesPolling);
    report();
    await step.run(async (line) => {
      for (const unitId of step.unitIds) {
        if (o.signal.aborted) return;
        const outcome = await line.probe(unitId, step.timeoutMs);
        p.idsTried++;
        remainingMs -= step.timeoutMs;
        p.etaMs = Math.max(0, remainingMs);
        if (outcome === "device")
          p.found.push({ unitId, setting: step.setting, ...(step.serial ? { serial: step.serial } : {}) });
        if (outcome === "noise") p.noise[step.setting] = (p.noise[step.setting] ?? 0) + 1;
        if (outcome !== "silent" || p.idsTried % 16 === 0) report();
      }
    });
    p.settingsDone++;
    p.pollingPaused = false;
    if (!o.allSettings && p.found.some((f) => f.setting === step.setting)) break;
  }
  p.current = undefined;
  p.etaMs = 0;
  report();
  return p;
}

export { settingLabel };
