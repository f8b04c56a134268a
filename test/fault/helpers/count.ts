import Database from "better-sqlite3";
import { storedReadingCount, storedReadings } from "../../../collector/src/store/stored-readings.js";
import { getJson } from "../../e2e/helpers/wait.js";

export { storedReadings };

/**
 * The agent's side of the ledger. The newer status contract (`seq`, `buffer.dropped`,
 * `buffer.droppedRanges`) is used when present; until it lands, `buffer.lastSeq` is the highest
 * committed seq and `uplink.lastAckSeq` the highest seq acked or dropped.
 */
export interface AgentLedger {
  committed: number;
  acked: number;
  backlog: number;
  dropped: Record<string, number>;
  droppedRanges: [number, number][];
}

interface AgentStatusBody {
  seq?: { committed: number; acked: number };
  buffer: {
    backlog: number;
    lastSeq: number;
    dropped?: Record<string, number>;
    droppedRanges?: [number, number][];
  };
  uplink: { lastAckSeq: number };
}

export async function agentLedger(agentUrl: string): Promise<AgentLedger> {
  const s = await getJson<AgentStatusBody>(`${agentUrl}/api/v1/status`);
  return {
    committed: s.seq?.committed ?? s.buffer.lastSeq,
    acked: s.seq?.acked ?? s.uplink.lastAckSeq,
    backlog: s.buffer.backlog,
    dropped: s.buffer.dropped ?? {},
    droppedRanges: s.buffer.droppedRanges ?? [],
  };
}

/** What the collector's SQLite file holds for one gateway, read straight from the file. */
export interface StoreLedger {
  stored: number;
  max: number;
  /** Seq ranges in 1..max that are not stored (before subtracting agent drops). */
  holes: [number, number][];
  /** Rows beyond the first with the same (device, point, ts): one poll stored under two seqs. */
  sameReading: number;
  /** Rows with a seq the agent never committed. */
  beyond: number;
}

export function storeLedger(dbPath: string, gateway: string, committed: number): StoreLedger {
  // Opened per call and closed at once: a long-lived reader would pin the WAL of a live collector.
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    // Counted from the readings themselves, not from the collector's own counters or seq runs:
    // a seq stored twice shows up as two rows here.
    const rows = storedReadings(db, gateway);
    const seqs = rows.map((r) => r.seq).sort((a, b) => a - b);
    const holes: [number, number][] = [];
    let prev = 0;
    for (const seq of seqs) {
      if (seq - prev > 1) holes.push([prev + 1, seq - 1]);
      prev = Math.max(prev, seq);
    }
    const polls = new Map<string, number>();
    for (const r of rows) {
      const key = `${r.device}\u0000${r.point}\u0000${r.ts}`;
      polls.set(key, (polls.get(key) ?? 0) + 1);
    }
    return {
      stored: rows.length,
      max: seqs.at(-1) ?? 0,
      holes,
      sameReading: [...polls.values()].reduce((d, n) => d + n - 1, 0),
      beyond: seqs.filter((s) => s > committed).length,
    };
  } finally {
    db.close();
  }
}

/** How many readings of `gateway` the file holds (0 before the collector created it). */
export function storedCount(dbPath: string, gateway: string): number {
  let db: Database.Database | undefined;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true });
    return storedReadingCount(db, gateway);
  } catch {
    return 0;
  } finally {
    db?.close();
  }
}

/** `ranges` minus `remove`; both lists of inclusive [first, last]. */
export function subtractRanges(ranges: [number, number][], remove: [number, number][]): [number, number][] {
  let out = ranges;
  for (const [rf, rl] of remove) {
    out = out.flatMap(([f, l]): [number, number][] => {
      if (rl < f || rf > l) return [[f, l]];
      const parts: [number, number][] = [];
      if (rf > f) parts.push([f, rf - 1]);
      if (rl < l) parts.push([rl + 1, l]);
      return parts;
    });
  }
  return out;
}

export const rangeSize = (ranges: [number, number][]) => ranges.reduce((n, [f, l]) => n + l - f + 1, 0);
