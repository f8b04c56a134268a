import Database from "better-sqlite3";
import { getJson } from "../../e2e/helpers/wait.js";

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
    const totals = db
      .prepare<[string], { n: number; max: number | null }>(
        "SELECT count(*) AS n, max(seq) AS max FROM readings WHERE gateway = ?",
      )
      .get(gateway);
    const holes = db
      .prepare<[string], { first: number; last: number }>(
        `SELECT prev + 1 AS first, seq - 1 AS last FROM (
           SELECT seq, lag(seq, 1, 0) OVER (ORDER BY seq) AS prev FROM readings WHERE gateway = ?
         ) WHERE seq - prev > 1`,
      )
      .all(gateway)
      .map((h) => [h.first, h.last] as [number, number]);
    const same = db
      .prepare<[string], { d: number }>(
        `SELECT coalesce(sum(n - 1), 0) AS d FROM (
           SELECT count(*) AS n FROM readings WHERE gateway = ? GROUP BY device, point, ts HAVING n > 1
         )`,
      )
      .get(gateway);
    const beyond = db
      .prepare<[string, number], { n: number }>(
        "SELECT count(*) AS n FROM readings WHERE gateway = ? AND seq > ?",
      )
      .get(gateway, committed);
    return {
      stored: totals?.n ?? 0,
      max: totals?.max ?? 0,
      holes,
      sameReading: same?.d ?? 0,
      beyond: beyond?.n ?? 0,
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
    return (
      db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM readings WHERE gateway = ?").get(gateway)
        ?.n ?? 0
    );
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
