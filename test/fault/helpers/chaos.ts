import Database from "better-sqlite3";
import type { Restartable } from "../../e2e/helpers/tidegate.js";
import { storedReadings } from "./count.js";

export type Rng = () => number;

/** A seed from FAULT_SEED or the clock, printed by the caller so a failing run can be replayed. */
export function faultSeed(): number {
  return Number(process.env.FAULT_SEED ?? Date.now() % 1_000_000);
}

export const between = (rng: Rng, [min, max]: [number, number]) => Math.round(min + rng() * (max - min));
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One life of a process: started (spawned), ready (API answered), killed (SIGKILL sent). */
export interface Life {
  startedAt: number;
  readyAt: number;
  killedAt?: number;
}

/**
 * Kills `target` with SIGKILL `times` times, each after a random time up in `upMs` (from 0, so
 * some kills land in the catch-up right after a start), and starts it again on the same dir and
 * port after a random time down in `downMs`. Returns every life, the last one still running.
 */
export async function killAndRestart(
  target: Restartable,
  o: {
    times: number;
    upMs: [number, number];
    downMs: [number, number];
    rng: Rng;
    first: Life;
    /** Runs before each random up time (e.g. to wait until the process is busy). */
    beforeKill?: () => Promise<void>;
    /** Runs right after each kill (e.g. to see what the dead process left in flight). */
    afterKill?: () => Promise<void>;
    /** Runs just before each restart (e.g. to queue work the new process starts on at once). */
    beforeStart?: () => Promise<void>;
  },
): Promise<Life[]> {
  const lives: Life[] = [o.first];
  for (let i = 0; i < o.times; i++) {
    await o.beforeKill?.();
    await sleep(between(o.rng, o.upMs));
    const life = lives[lives.length - 1] as Life;
    if (!target.alive()) throw new Error(`process died on its own before kill ${i + 1}\n${target.output()}`);
    life.killedAt = Date.now();
    await target.kill("SIGKILL");
    await o.afterKill?.();
    await sleep(between(o.rng, o.downMs));
    await o.beforeStart?.();
    const startedAt = Date.now();
    await target.start();
    lives.push({ startedAt, readyAt: Date.now() });
  }
  return lives;
}

/**
 * Estimates the readings a SIGKILLed agent had read but not yet committed (they never got a seq,
 * so they are outside `produced`): per killed life and device, the polls that fit between the
 * newest stored reading of that life and the kill. Also returns the widest such window, to set
 * beside the configured commit interval.
 */
export function estimateUncommitted(
  dbPath: string,
  gateway: string,
  lives: Life[],
  pollIntervalMs: number,
  pointsPerPoll: Record<string, number>,
): { readings: number; widestWindowMs: number } {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  const stored = storedReadings(db, gateway);
  const newest = {
    get: (device: string, from: number, to: number): { ts: number | null } => {
      let ts: number | null = null;
      for (const r of stored)
        if (r.device === device && r.ts >= from && r.ts <= to && (ts === null || r.ts > ts)) ts = r.ts;
      return { ts };
    },
  };
  let readings = 0;
  let widestWindowMs = 0;
  try {
    for (const life of lives) {
      if (life.killedAt === undefined) continue;
      for (const [device, points] of Object.entries(pointsPerPoll)) {
        const ts = newest.get(device, life.startedAt, life.killedAt)?.ts ?? null;
        const since = ts ?? life.readyAt;
        const window = Math.max(0, life.killedAt - since);
        if (ts !== null) widestWindowMs = Math.max(widestWindowMs, window);
        // Polls started after the newest stored one (or since the API came up, when none was stored).
        const polls = Math.floor(window / pollIntervalMs) + (ts === null && window > 0 ? 1 : 0);
        readings += polls * points;
      }
    }
  } finally {
    db.close();
  }
  return { readings, widestWindowMs };
}
