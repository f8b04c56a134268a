import type Database from "better-sqlite3";
import type { ChunkInput } from "./chunk-codec.js";
import type { Chunks, SeriesKey } from "./chunks.js";
import { asInput, decodeHead, encodeHead, type HeadGroup } from "./head-codec.js";
import type { Rollups } from "./rollups.js";

/**
 * How long a gateway's newest readings may wait in the head before they move into chunks and
 * rollups. Two minutes of a 1 Hz poll is a full chunk per series, written once instead of grown
 * reading by reading.
 */
export const HEAD_AGE_MS = 120_000;
/** A gateway whose head holds this many rows (a fast sender) moves sooner. */
export const HEAD_ROWS_MAX = 240;
/**
 * Readings moved per commit, about, when moves are due: due gateways move oldest row first until
 * this many (or twice what the commit itself added to the head, if more) went; a gateway may move
 * in parts over several commits. A commit is one synchronous stretch of the event loop, and the
 * API waits behind it: moving whole gateways (6,000 readings for 50 points over two minutes) made
 * the commits that moved ~40 ms, the fleet's /api/v1/gateways p99 followed (fleet bench). Twice
 * the inflow keeps the moves ahead of a fleet however fast it sends.
 */
export const MOVE_READINGS_PER_COMMIT = 1500;

/**
 * The head: where live readings of fleet-shaped batches wait, one row per gateway epoch and commit,
 * until they move into the series' chunks and the rollups in bulk (when the gateway's oldest head
 * row is HEAD_AGE_MS old, or it holds HEAD_ROWS_MAX rows, or before anything reads its series).
 * A reading in the head is stored: its seq is claimed, its latest value and counters are kept;
 * only the chunk and rollup writes wait, which is what fleet-shaped traffic paid per reading.
 * Every write happens inside the caller's (immediate) transaction.
 */
export function createHead(db: Database.Database, parts: { chunks: Chunks; rollups: Rollups }) {
  const { chunks, rollups } = parts;
  const insert = db.prepare("INSERT INTO head (gateway, epoch, received_at, n, data) VALUES (?, ?, ?, ?, ?)");
  const rowsOf = db.prepare<[string], { id: number; epoch: number; n: number; data: Buffer }>(
    "SELECT id, epoch, n, data FROM head WHERE gateway = ? ORDER BY id",
  );
  const removeUpTo = db.prepare("DELETE FROM head WHERE gateway = ? AND id <= ?");
  const oldest = db.prepare<[], { gateway: string; received_at: number }>(
    "SELECT gateway, received_at FROM head ORDER BY id LIMIT 1",
  );
  const anyOf = db.prepare<[string], number>("SELECT 1 FROM head WHERE gateway = ? LIMIT 1").pluck();
  const allGateways = db.prepare<[], string>("SELECT DISTINCT gateway FROM head").pluck();
  // Rows this process added per gateway since it last moved them: a hint for fast senders only
  // (another collector on the same file keeps its own), never what decides correctness.
  const added = new Map<string, number>();
  // Gateways this commit filled to HEAD_ROWS_MAX: checked as rows are added, not by a walk over
  // every gateway on every commit.
  const full = new Set<string>();
  // Readings this commit added to the head: the moves keep ahead of twice that.
  let addedNow = 0;

  /** The gateway owning the head's oldest row, when that row is HEAD_AGE_MS old. */
  function dueGateway(now: number): string | undefined {
    const first = oldest.get();
    return first && first.received_at <= now - HEAD_AGE_MS ? first.gateway : undefined;
  }

  /** The gateway's oldest head rows holding about `budget` readings (at least one row), and whether that was all of them. */
  function oldestRows(gateway: string, budget: number) {
    const rows: { id: number; epoch: number; data: Buffer }[] = [];
    let readings = 0;
    for (const row of rowsOf.iterate(gateway)) {
      if (readings >= budget) return { rows, all: false };
      rows.push(row);
      readings += row.n;
    }
    return { rows, all: true };
  }

  /**
   * Moves the oldest head rows of `gateway`, about `budget` readings' worth (all by default), into
   * chunks and rollups; returns how many readings moved and whether its head is now empty.
   */
  function move(gateway: string, budget = Number.POSITIVE_INFINITY): { moved: number; all: boolean } {
    const { rows, all } = oldestRows(gateway, budget);
    const was = added.get(gateway) ?? 0;
    if (all || was <= rows.length) added.delete(gateway);
    else added.set(gateway, was - rows.length);
    const last = rows.at(-1);
    if (!last) return { moved: 0, all: true };
    // By epoch and series, so each series gets one chunk write and one rollup fold for the lot.
    const groups = new Map<string, { series: number; epoch: number; readings: ChunkInput[] }>();
    for (const row of rows)
      for (const g of decodeHead(row.data)) {
        const key = `${row.epoch}:${g.series}`;
        let into = groups.get(key);
        if (!into) {
          into = { series: g.series, epoch: row.epoch, readings: [] };
          groups.set(key, into);
        }
        for (const r of g.readings) into.readings.push(asInput(r));
      }
    let moved = 0;
    for (const g of groups.values()) {
      const key: SeriesKey = chunks.keyOf(g.series);
      chunks.write(key, g.epoch, g.readings, { fill: true });
      rollups.add(key, g.readings);
      moved += g.readings.length;
    }
    removeUpTo.run(gateway, last.id);
    return { moved, all };
  }

  return {
    /** Keeps one commit's new readings of a gateway epoch, grouped by series. */
    add(
      gateway: string,
      epoch: number,
      groups: readonly { key: SeriesKey; readings: readonly ChunkInput[] }[],
      receivedAt: number,
    ) {
      const entries: HeadGroup[] = groups.map((g) => ({
        series: chunks.seriesId(g.key, true) as number,
        readings: g.readings,
      }));
      const n = groups.reduce((sum, g) => sum + g.readings.length, 0);
      insert.run(gateway, epoch, receivedAt, n, encodeHead(entries));
      addedNow += n;
      const rows = (added.get(gateway) ?? 0) + 1;
      added.set(gateway, rows);
      if (rows >= HEAD_ROWS_MAX) full.add(gateway);
    },
    /**
     * Moves what is due, oldest row first, about MOVE_READINGS_PER_COMMIT readings or twice what
     * this commit added to the head: the gateways whose oldest row is HEAD_AGE_MS old (found from
     * the table's first rows), then those this process filled past HEAD_ROWS_MAX. What is left
     * moves in the next commits.
     */
    moveDue(now: number): number {
      const budget = Math.max(MOVE_READINGS_PER_COMMIT, 2 * addedNow);
      addedNow = 0;
      let moved = 0;
      while (moved < budget) {
        const gateway = dueGateway(now);
        if (gateway === undefined) break;
        const step = move(gateway, budget - moved).moved;
        if (step === 0) break; // nothing came of it: never spin on a row that holds no readings
        moved += step;
      }
      for (const gateway of full) {
        if (moved >= budget) break;
        const step = move(gateway, budget - moved);
        moved += step.moved;
        if (step.all) full.delete(gateway);
      }
      return moved;
    },
    /**
     * Moves the gateway that is most overdue, if one is: commits move gateways as they go, this
     * is for a collector that receives nothing (its fleet went quiet), called between prunes.
     */
    moveOneDue(now: number): boolean {
      const gateway = dueGateway(now);
      if (gateway === undefined) return false;
      move(gateway, MOVE_READINGS_PER_COMMIT);
      return true;
    },
    /** Moves a gateway's head now (before its series are read); false when it had none. */
    settle: (gateway: string): boolean => move(gateway).moved > 0,
    /** Whether the gateway has readings waiting (a read settles it first). */
    holds: (gateway: string): boolean => anyOf.get(gateway) !== undefined,
    /** Moves every gateway's head (shutdown, tools, benchmarks). */
    settleAll(): number {
      let moved = 0;
      for (const gateway of allGateways.all()) moved += move(gateway).moved;
      return moved;
    },
  };
}

export type Head = ReturnType<typeof createHead>;
