import { existsSync } from "node:fs";
import type { AlertEventWire, Batch, Heartbeat, ReadingValue } from "@tidegate/protocol";
import { migrateSync, upgradeDatabase } from "@tidegate/protocol/migrations";
import Database from "better-sqlite3";
import { QUALITY } from "./chunk-codec.js";
import { createChunks, type SeriesKey } from "./chunks.js";
import { createClockJumps } from "./clock-jumps.js";
import { createHead } from "./head.js";
import { createIngest, type InsertResult } from "./ingest.js";
import { createRollupBuckets } from "./rollup-buckets.js";
import { createRollups } from "./rollups.js";
import { storeSchema } from "./schema.js";
import { createSeqRuns } from "./seq-runs.js";
import { type BucketPartial, mergePartial, type Source } from "./series-query.js";
import { ROLLUP_TIERS, type RollupTable, tierOf } from "./tiers.js";

export interface SeriesQuery {
  gateway: string;
  device: string;
  point: string;
  from: number;
  to: number;
  limit?: number;
}

export interface SeriesResult {
  ts: number[];
  values: (number | null)[];
}

export interface GatewayRow {
  id: string;
  lastSeen: number | null;
  heartbeat: Heartbeat | null;
  /** Highest seq stored and how many readings are stored for this gateway. */
  maxSeq: number;
  stored: number;
  /** The batch wire version of the gateway's latest batch. */
  wireVersion: number | null;
  firstSeen: number | null;
  /** When the latest heartbeat arrived, by this collector's clock. */
  heartbeatAt: number | null;
  /** The latest jump of the gateway's clock between two heartbeats (ms ahead; negative: back). */
  clockJump?: { at: number; ms: number } | null;
}

export interface PointRow {
  gateway: string;
  device: string;
  point: string;
  lastTs: number;
  lastValue: ReadingValue | null;
}

export interface AlertRow {
  gateway: string;
  rule: string;
  device: string;
  point: string;
  severity: string;
  state: "raised" | "cleared" | "acked";
  at: number;
  value: number | null;
  message: string;
  /** When an operator acknowledged an active alert (null: not yet). */
  ackedAt?: number | null;
}

export type { InsertResult } from "./ingest.js";

/**
 * The collector's embedded time-series store. Idempotent on (gateway, epoch, seq): a batch that arrives
 * twice (redelivery, an agent retry outside JetStream's duplicate window) inserts nothing the
 * second time.
 */
export function openSqliteStore(path: string, options: { clockJumpMs?: number } = {}) {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  migrateSync(db, storeSchema, path);

  const saveHeartbeat = db.prepare(`
    INSERT INTO gateways (id, last_seen, heartbeat, epoch, first_seen, heartbeat_at) VALUES (@id, @at, @hb, @epoch, @at, @at)
    ON CONFLICT (id) DO UPDATE SET last_seen = max(coalesce(last_seen, 0), excluded.last_seen),
      heartbeat = excluded.heartbeat, epoch = excluded.epoch, heartbeat_at = excluded.heartbeat_at`);
  const selectRollup = Object.fromEntries(
    ROLLUP_TIERS.map((tier) => [
      tier.table,
      db.prepare<
        [string, string, string, number, number],
        { bucket: number; n: number; total: number; lo: number; hi: number; last_ts: number; last: number }
      >(
        `SELECT bucket, n, total, lo, hi, last_ts, last FROM ${tier.table} WHERE gateway = ? AND device = ? AND point = ? AND bucket >= ? AND bucket <= ? ORDER BY bucket`,
      ),
    ]),
  );
  const countGateways = db.prepare("SELECT count(*) FROM gateways").pluck();
  const listSeries = db.prepare<[], { gateway: string; device: string; point: string }>(
    "SELECT gateway, device, point FROM series",
  );
  // Row values and a LIMIT inside: each delete is one short transaction that uses the series index.
  const pruneRollups = Object.fromEntries(
    ROLLUP_TIERS.map((tier) => [
      tier.table,
      db.prepare(`DELETE FROM ${tier.table} WHERE (gateway, device, point, bucket) IN (
          SELECT gateway, device, point, bucket FROM ${tier.table} WHERE gateway = ? AND device = ? AND point = ? AND bucket < ? LIMIT ?)`),
    ]),
  ) as Record<RollupTable, Database.Statement>;
  const insertAlert = db.prepare(`
    INSERT OR IGNORE INTO alert_events (gateway, rule, device, state, at, point, severity, value, message, received_at)
    VALUES (@gateway, @rule, @device, @state, @at, @point, @severity, @value, @message, @receivedAt)`);
  // An alert is active when its newest raise or clear (by time; raise before clear at the same
  // instant) is "raised". An operator's acknowledgement after that raise marks it, without ending it.
  const selectAlerts = db.prepare<[], AlertRow>(`
    SELECT gateway, rule, device, point, severity, state, at, value, message,
      (SELECT min(k.at) FROM alert_events k WHERE k.gateway = a.gateway AND k.rule = a.rule
        AND k.device = a.device AND k.state = 'acked' AND k.at >= a.at) AS ackedAt
    FROM alert_events a
    WHERE a.state != 'acked' AND NOT EXISTS (SELECT 1 FROM alert_events b WHERE b.gateway = a.gateway
      AND b.rule = a.rule AND b.device = a.device AND b.state != 'acked'
      AND (b.at > a.at OR (b.at = a.at AND b.state = 'cleared' AND a.state = 'raised')))
    ORDER BY at DESC`);
  const selectRecentAlerts = db.prepare<[number], AlertRow>(
    "SELECT gateway, rule, device, point, severity, state, at, value, message FROM alert_events ORDER BY at DESC LIMIT ?",
  );
  const selectGateways = db.prepare<
    [],
    {
      id: string;
      last_seen: number | null;
      heartbeat: string | null;
      wire_version: number | null;
      first_seen: number | null;
      heartbeat_at: number | null;
      clock_jump_at: number | null;
      clock_jump_ms: number | null;
      max_seq: number;
      stored: number;
    }
  >(`
    SELECT g.id, g.last_seen, g.heartbeat, g.wire_version, g.first_seen, g.heartbeat_at, g.clock_jump_at, g.clock_jump_ms, coalesce(e.max_seq, 0) AS max_seq, coalesce(e.stored, 0) AS stored
    FROM gateways g LEFT JOIN gateway_epochs e ON e.gateway = g.id AND e.epoch = coalesce(g.epoch,
      (SELECT epoch FROM gateway_epochs WHERE gateway = g.id ORDER BY last_at DESC LIMIT 1))
    ORDER BY g.id`);
  const selectPoints = db.prepare<
    [string],
    { gateway: string; device: string; point: string; last_ts: number; last_value: string | null }
  >("SELECT * FROM series WHERE gateway = ? ORDER BY device, point");

  const chunks = createChunks(db);
  const rollups = createRollups(db);
  const head = createHead(db, { chunks, rollups });
  const rollupBuckets = createRollupBuckets(db);
  const clockJumps = createClockJumps(db, options.clockJumpMs);
  const seqRuns = createSeqRuns(db);
  const { insertMany, recordMany } = createIngest(db, { chunks, rollups, head, seqRuns });
  const settleNow = db.transaction((gateway: string) => head.settle(gateway));
  const settleEvery = db.transaction(() => head.settleAll());
  // The fleet view and /metrics list every gateway several times a minute; a heartbeat is parsed
  // once per new text, not once per call (1,000 of them took most of a /api/v1/gateways call).
  const heartbeats = new Map<string, { text: string; heartbeat: Heartbeat }>();
  function parsedHeartbeat(gateway: string, text: string | null): Heartbeat | null {
    if (!text) return null;
    const known = heartbeats.get(gateway);
    if (known?.text === text) return known.heartbeat;
    const heartbeat = JSON.parse(text) as Heartbeat;
    heartbeats.set(gateway, { text, heartbeat });
    return heartbeat;
  }
  /** Reads of a series see its readings in chunks and rollups: a head the gateway has moves first. */
  function settle(gateway: string): void {
    if (head.holds(gateway)) settleNow.immediate(gateway);
  }

  /** Good numbers of a series as partials: one per reading, or folded into buckets of `stepMs`. */
  function rawPartials(q: Omit<SeriesQuery, "limit">, stepMs: number): BucketPartial[] {
    const each: BucketPartial[] = [];
    const buckets = new Map<number, BucketPartial>();
    chunks.scan(q, q.from, q.to, (ts, num, quality) => {
      if (quality !== QUALITY.good || Number.isNaN(num)) return;
      const one: BucketPartial = { t: ts, n: 1, total: num, lo: num, hi: num, lastTs: ts, last: num };
      if (stepMs <= 1) return void each.push(one);
      one.t = ts - (ts % stepMs);
      const into = buckets.get(one.t);
      if (into) mergePartial(into, one);
      else buckets.set(one.t, one);
    });
    return (stepMs <= 1 ? each : [...buckets.values()]).sort((a, b) => a.t - b.t);
  }

  return {
    // Immediate: the write lock comes first, so a second collector on the same file waits instead
    // of failing between its read of the seq runs and its write.
    insertBatch: (batch: Batch, receivedAt = Date.now()): InsertResult =>
      insertMany.immediate([batch], receivedAt)[0] as InsertResult,
    /** Several batches in one transaction: all are stored, or none. */
    insertBatches: (batches: readonly Batch[], receivedAt = Date.now()): InsertResult[] =>
      insertMany.immediate(batches, receivedAt),
    /**
     * For readings written to another store first: records which seqs are now stored and keeps the
     * registry (latest values, gateways, completeness counters) in one transaction.
     */
    recordBatches: (batches: readonly Batch[], receivedAt = Date.now()): InsertResult[] =>
      recordMany.immediate(batches, receivedAt),
    /** Whether every seq of the batch is recorded already (then it needs no write at all). */
    isRecorded: (b: Batch): boolean =>
      seqRuns.covered(b.gateway, b.epoch, b.firstSeq, b.lastSeq) === b.lastSeq - b.firstSeq + 1,
    /** Returns how far the gateway's clock jumped since its previous heartbeat, beyond the threshold. */
    saveHeartbeat: db.transaction((hb: Heartbeat, receivedAt: number = Date.now()): number | undefined => {
      const jump = clockJumps.observe(hb.gateway, { agentTs: hb.ts, receivedAt });
      saveHeartbeat.run({ id: hb.gateway, at: receivedAt, hb: JSON.stringify(hb), epoch: hb.epoch });
      if (jump !== undefined) clockJumps.record(hb.gateway, receivedAt, jump);
      return jump;
    }),
    /** Bad readings are gaps (null), never values. */
    series(q: SeriesQuery): SeriesResult {
      settle(q.gateway);
      const rows = chunks.ordered(q, q.from, q.to, q.limit ?? 100_000);
      return {
        ts: rows.map((r) => r.ts),
        values: rows.map((r) => (r.quality === QUALITY.bad || Number.isNaN(r.num) ? null : r.num)),
      };
    },
    /**
     * Partial aggregates of a series for chart buckets: a rollup tier's rows, or raw readings, with
     * `stepMs` already folded into buckets of that step (on the same grid as `grid()`: multiples of
     * the step). Charts from a rollup tier fold in SQL instead (chartBuckets).
     */
    partials(source: Source, q: Omit<SeriesQuery, "limit">, stepMs = 0): BucketPartial[] {
      settle(q.gateway);
      if (source === "raw") return rawPartials(q, stepMs);
      const tierMs = tierOf(source).ms;
      return (selectRollup[source] as (typeof selectRollup)[string])
        .all(q.gateway, q.device, q.point, Math.floor(q.from / tierMs) * tierMs, q.to)
        .map((r) => ({
          t: r.bucket,
          n: r.n,
          total: r.total,
          lo: r.lo,
          hi: r.hi,
          lastTs: r.last_ts,
          last: r.last,
        }));
    },
    /** Chart buckets of a rollup tier, folded and aggregated in SQL (see rollup-buckets.ts). */
    chartBuckets(...args: Parameters<typeof rollupBuckets>): ReturnType<typeof rollupBuckets> {
      settle(args[1].gateway);
      return rollupBuckets(...args);
    },
    /** Moves every gateway's waiting readings into chunks and rollups (tools, benchmarks); returns how many. */
    settleAll: (): number => settleEvery.immediate(),
    /** Every series the store has seen, for work done series by series (pruning). */
    seriesList: () => listSeries.all(),
    /**
     * Deletes at most `limit` rows of one series older than `before` from `table`: rollup rows, or
     * chunks whose newest reading is older. Returns the rows deleted and what they held.
     */
    pruneChunk(
      table: "readings" | RollupTable,
      s: SeriesKey,
      before: number,
      limit: number,
    ): { rows: number; count: number } {
      if (table === "readings") {
        const gone = chunks.prune(s, before, limit);
        return { rows: gone.chunks, count: gone.readings };
      }
      const rows = pruneRollups[table].run(s.gateway, s.device, s.point, before, limit).changes;
      return { rows, count: rows };
    },
    /** Stores an alert event; a repeat (redelivery) changes nothing. Returns whether it was new. */
    insertAlert: (e: AlertEventWire, receivedAt = Date.now()) =>
      insertAlert.run({ ...e, receivedAt }).changes > 0,
    /** The newest event of every (gateway, rule, device), if it is "raised". */
    activeAlerts: (): AlertRow[] => selectAlerts.all().filter((a) => a.state === "raised"),
    recentAlerts: (limit = 100): AlertRow[] => selectRecentAlerts.all(limit),
    /** How many gateways the store knows, without reading their rows. */
    gatewayCount: (): number => countGateways.get() as number,
    gateways: (): GatewayRow[] =>
      selectGateways.all().map((g) => ({
        id: g.id,
        lastSeen: g.last_seen,
        heartbeat: parsedHeartbeat(g.id, g.heartbeat),
        maxSeq: g.max_seq,
        stored: g.stored,
        wireVersion: g.wire_version,
        firstSeen: g.first_seen,
        heartbeatAt: g.heartbeat_at,
        clockJump: g.clock_jump_at === null ? null : { at: g.clock_jump_at, ms: g.clock_jump_ms ?? 0 },
      })),
    points: (gateway: string): PointRow[] =>
      selectPoints.all(gateway).map((p) => ({
        gateway: p.gateway,
        device: p.device,
        point: p.point,
        lastTs: p.last_ts,
        lastValue: p.last_value === null ? null : (JSON.parse(p.last_value) as ReadingValue),
      })),
    countReadings: (gateway: string): number => chunks.count(gateway) + head.count(gateway),
    close: () => db.close(),
  };
}
/** Brings an existing store to the current schema before the collector opens it (a copy is taken first when a step rewrites tables). */
export async function upgradeSqliteStore(path: string, log: (message: string) => void): Promise<void> {
  if (!existsSync(path)) return;
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    await upgradeDatabase(db, storeSchema, path, { log });
  } finally {
    db.close();
  }
}

export type SqliteStore = ReturnType<typeof openSqliteStore>;
