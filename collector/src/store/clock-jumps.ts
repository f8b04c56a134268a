import type Database from "better-sqlite3";

/** A heartbeat's time by the agent's clock, and when it arrived by ours. */
export interface ClockSample {
  agentTs: number;
  receivedAt: number;
}

/** The default: beyond network jitter and a busy collector, well below any real clock step. */
export const DEFAULT_CLOCK_JUMP_MS = 2000;

/**
 * How far the agent's clock moved beyond the time that passed here between two heartbeats
 * (positive: it jumped ahead), or undefined within `thresholdMs`. A steady offset (skew) is no
 * jump; a clock stepped by NTP, set by hand or reset to 1970 by a dead RTC battery is. A heartbeat
 * held up for longer than the threshold (a collector that stalls) looks the same, so the threshold
 * sits above such delays.
 */
export function clockJump(prev: ClockSample, next: ClockSample, thresholdMs: number): number | undefined {
  const jump = next.agentTs - prev.agentTs - (next.receivedAt - prev.receivedAt);
  return Math.abs(jump) > thresholdMs ? jump : undefined;
}

/**
 * Keeps the latest jump of each gateway on its row, so the fleet view still shows it after a
 * collector restart. Call `observe` before the new heartbeat is saved: it compares with the one stored.
 */
export function createClockJumps(db: Database.Database, thresholdMs = DEFAULT_CLOCK_JUMP_MS) {
  const previous = db.prepare<[string], { ts: number | null; at: number | null }>(
    "SELECT json_extract(heartbeat, '$.ts') AS ts, heartbeat_at AS at FROM gateways WHERE id = ?",
  );
  const record = db.prepare("UPDATE gateways SET clock_jump_at = ?, clock_jump_ms = ? WHERE id = ?");
  return {
    /** The jump this heartbeat shows against the stored one, if any (recorded once the row exists). */
    observe(gateway: string, next: ClockSample): number | undefined {
      const prev = previous.get(gateway);
      if (prev?.ts == null || prev.at == null) return undefined;
      return clockJump({ agentTs: prev.ts, receivedAt: prev.at }, next, thresholdMs);
    },
    record: (gateway: string, at: number, ms: number) => void record.run(at, Math.round(ms), gateway),
  };
}
