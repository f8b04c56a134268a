import { existsSync } from "node:fs";
import type { AlertEventWire, Batch, Heartbeat, ReadingValue } from "@tidegate/protocol";
import { migrateSync, upgradeDatabase } from "@tidegate/protocol/migrations";
import Database from "better-sqlite3";
import { createClockJumps } from "./clock-jumps.js";
import { createRollups, ROLLUP_TIERS } from "./rollups.js";
import { storeSchema } from "./schema.js";
import { createSeqRuns } from "./seq-runs.js";
import type { Partial, Source } from "./series-query.js";

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

export interface InsertResult {
  inserted: number;
  duplicates: number;
}

const QUALITY = { good: 0, bad: 1, uncertain: 2 } as const;

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

  const insert = db.prepare(
    "INSERT OR IGNORE INTO readings (gateway, epoch, seq, device, point, ts, num, text, quality, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const upsertSeries = db.prepare(`
    INSERT INTO series (gateway, device, point, last_ts, last_value) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (gateway, device, point) DO UPDATE SET last_ts = excluded.last_ts, last_value = excluded.last_value
    WHERE excluded.last_ts >= series.last_ts`);
  const touchGateway = db.prepare(`
    INSERT INTO gateways (id, last_seen, wire_version, first_seen) VALUES (@id, @at, @wire, @at)
    ON CONFLICT (id) DO UPDATE SET last_seen = max(coalesce(last_seen, 0), excluded.last_seen),
      wire_version = coalesce(excluded.wire_version, wire_version)`);
  // Counters kept on ingest so completeness (stored, highest seq) is answered without scanning readings.
  const countEpoch = db.prepare(`
    INSERT INTO gateway_epochs (gateway, epoch, max_seq, stored, last_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (gateway, epoch) DO UPDATE SET max_seq = max(max_seq, excluded.max_seq),
      stored = stored + excluded.stored, last_at = max(last_at, excluded.last_at)`);
  const saveHeartbeat = db.prepare(`
    INSERT INTO gateways (id, last_seen, heartbeat, epoch, first_seen, heartbeat_at) VALUES (@id, @at, @hb, @epoch, @at, @at)
    ON CONFLICT (id) DO UPDATE SET last_seen = max(coalesce(last_seen, 0), excluded.last_seen),
      heartbeat = excluded.heartbeat, epoch = excluded.epoch, heartbeat_at = excluded.heartbeat_at`);
  const selectSeries = db.prepare<
    [string, string, string, number, number, number],
    { ts: number; num: number | null; quality: number }
  >(
    "SELECT ts, num, quality FROM readings WHERE gateway = ? AND device = ? AND point = ? AND ts >= ? AND ts <= ? ORDER BY ts LIMIT ?",
  );
  const selectRawGood = db.prepare<[string, string, string, number, number], { ts: number; num: number }>(
    "SELECT ts, num FROM readings WHERE gateway = ? AND device = ? AND point = ? AND ts >= ? AND ts <= ? AND quality = 0 AND num IS NOT NULL",
  );
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
  // Coarser chart buckets are folded in SQL, so a month of 1-minute rollups reaches JavaScript as
  // ~1 000 rows instead of 43 200. The last value is the one with the latest time: SQLite keeps
  // bare columns only for a single max(), so time and value travel as one sortable string.
  type Grouped = { t: number; n: number; total: number; lo: number; hi: number; last_key: string };
  const groupedFrom = (
    table: string,
    time: string,
    n: string,
    total: string,
    lo: string,
    hi: string,
    lastTs: string,
    last: string,
    where: string,
  ) =>
    db.prepare<
      { gateway: string; device: string; point: string; from: number; to: number; step: number },
      Grouped
    >(
      `SELECT ${time} - ${time} % @step AS t, ${n} AS n, ${total} AS total, ${lo} AS lo, ${hi} AS hi,
        max(printf('%020d %.17g', ${lastTs}, ${last})) AS last_key
      FROM ${table} WHERE gateway = @gateway AND device = @device AND point = @point
        AND ${time} >= @from AND ${time} <= @to ${where} GROUP BY t ORDER BY t`,
    );
  const selectGrouped: Record<Source, ReturnType<typeof groupedFrom>> = {
    raw: groupedFrom(
      "readings",
      "ts",
      "count(*)",
      "sum(num)",
      "min(num)",
      "max(num)",
      "ts",
      "num",
      "AND quality = 0 AND num IS NOT NULL",
    ),
    ...(Object.fromEntries(
      ROLLUP_TIERS.map((tier) => [
        tier.table,
        groupedFrom(
          tier.table,
          "bucket",
          "sum(n)",
          "sum(total)",
          "min(lo)",
          "max(hi)",
          "last_ts",
          "last",
          "",
        ),
      ]),
    ) as Record<"rollup_1m" | "rollup_1h", ReturnType<typeof groupedFrom>>),
  };
  const listSeries = db.prepare<[], { gateway: string; device: string; point: string }>(
    "SELECT gateway, device, point FROM series",
  );
  // Row values and a LIMIT inside: each delete is one short transaction that uses the series index.
  const pruneStatements = {
    readings: db.prepare(`DELETE FROM readings WHERE (gateway, epoch, seq) IN (
      SELECT gateway, epoch, seq FROM readings WHERE gateway = ? AND device = ? AND point = ? AND ts < ? LIMIT ?)`),
    ...Object.fromEntries(
      ROLLUP_TIERS.map((tier) => [
        tier.table,
        db.prepare(`DELETE FROM ${tier.table} WHERE (gateway, device, point, bucket) IN (
          SELECT gateway, device, point, bucket FROM ${tier.table} WHERE gateway = ? AND device = ? AND point = ? AND bucket < ? LIMIT ?)`),
      ]),
    ),
  } as Record<"readings" | "rollup_1m" | "rollup_1h", Database.Statement>;
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

  const rollups = createRollups(db);
  const clockJumps = createClockJumps(db, options.clockJumpMs);
  const seqRuns = createSeqRuns(db);

  /** What every store mode keeps: the newest value per series, the gateway, and the epoch's counters. */
  function register(batch: Batch, inserted: number, receivedAt: number) {
    const newest = new Map<
      string,
      { device: string; point: string; ts: number; value: ReadingValue | null }
    >();
    for (const r of batch.readings) {
      const key = `${r.device}/${r.point}`;
      const prev = newest.get(key);
      if (r.quality !== "bad" && (!prev || r.ts >= prev.ts))
        newest.set(key, { device: r.device, point: r.point, ts: r.ts, value: r.value });
    }
    for (const s of newest.values())
      upsertSeries.run(batch.gateway, s.device, s.point, s.ts, JSON.stringify(s.value));
    touchGateway.run({ id: batch.gateway, at: receivedAt, wire: batch.wireVersion ?? null });
    countEpoch.run(batch.gateway, batch.epoch, batch.lastSeq, inserted, receivedAt);
  }

  const insertBatch = db.transaction((batch: Batch, receivedAt: number): InsertResult => {
    let inserted = 0;
    const isNew: boolean[] = [];
    for (const r of batch.readings) {
      const num =
        typeof r.value === "number" ? r.value : typeof r.value === "boolean" ? Number(r.value) : null;
      const text = typeof r.value === "string" ? r.value : null;
      const changes = insert.run(
        batch.gateway,
        batch.epoch,
        r.seq,
        r.device,
        r.point,
        r.ts,
        num,
        text,
        QUALITY[r.quality],
        r.reason ?? null,
      ).changes;
      inserted += changes;
      isNew.push(changes > 0);
    }
    rollups.add(batch, isNew);
    register(batch, inserted, receivedAt);
    return { inserted, duplicates: batch.readings.length - inserted };
  });

  const insertMany = db.transaction((batches: readonly Batch[], receivedAt: number) =>
    batches.map((b) => insertBatch(b, receivedAt)),
  );

  // Readings kept elsewhere (InfluxDB): only which seqs are stored, so a redelivery counts nothing twice.
  const recordMany = db.transaction((batches: readonly Batch[], receivedAt: number) =>
    batches.map((b): InsertResult => {
      const inserted = seqRuns.add(b.gateway, b.epoch, b.firstSeq, b.lastSeq);
      register(b, inserted, receivedAt);
      return { inserted, duplicates: b.readings.length - inserted };
    }),
  );

  return {
    insertBatch: (batch: Batch, receivedAt = Date.now()): InsertResult => insertBatch(batch, receivedAt),
    /** Several batches in one transaction: all are stored, or none. */
    insertBatches: (batches: readonly Batch[], receivedAt = Date.now()): InsertResult[] =>
      insertMany(batches, receivedAt),
    /**
     * For readings written to another store first: records which seqs are now stored and keeps the
     * registry (latest values, gateways, completeness counters) in one transaction.
     */
    recordBatches: (batches: readonly Batch[], receivedAt = Date.now()): InsertResult[] =>
      recordMany(batches, receivedAt),
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
      const rows = selectSeries.all(q.gateway, q.device, q.point, q.from, q.to, q.limit ?? 100_000);
      return {
        ts: rows.map((r) => r.ts),
        values: rows.map((r) => (r.quality === QUALITY.bad ? null : r.num)),
      };
    },
    /**
     * Partial aggregates of a series for chart buckets, from raw readings or a rollup tier; with
     * `stepMs` coarser than the source, already folded into buckets of that step (on the same
     * grid as `grid()`: multiples of the step).
     */
    partials(source: Source, q: Omit<SeriesQuery, "limit">, stepMs = 0): Partial[] {
      const tierMs = source === "raw" ? 0 : (ROLLUP_TIERS.find((t) => t.table === source)?.ms ?? 60_000);
      if (stepMs > Math.max(tierMs, 1)) {
        const from = tierMs ? Math.floor(q.from / tierMs) * tierMs : q.from;
        return selectGrouped[source]
          .all({ gateway: q.gateway, device: q.device, point: q.point, from, to: q.to, step: stepMs })
          .map((r) => {
            const space = r.last_key.indexOf(" ");
            return {
              t: r.t,
              n: r.n,
              total: r.total,
              lo: r.lo,
              hi: r.hi,
              lastTs: Number(r.last_key.slice(0, space)),
              last: Number(r.last_key.slice(space + 1)),
            };
          });
      }
      if (source === "raw")
        return selectRawGood
          .all(q.gateway, q.device, q.point, q.from, q.to)
          .map((r) => ({ t: r.ts, n: 1, total: r.num, lo: r.num, hi: r.num, lastTs: r.ts, last: r.num }));
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
    /** Every series the store has seen, for work done series by series (pruning). */
    seriesList: () => listSeries.all(),
    /** Deletes at most `limit` rows of one series older than `before` from `table`; returns how many. */
    pruneChunk(
      table: "readings" | "rollup_1m" | "rollup_1h",
      s: { gateway: string; device: string; point: string },
      before: number,
      limit: number,
    ): number {
      return pruneStatements[table].run(s.gateway, s.device, s.point, before, limit).changes;
    },
    /** Stores an alert event; a repeat (redelivery) changes nothing. Returns whether it was new. */
    insertAlert: (e: AlertEventWire, receivedAt = Date.now()) =>
      insertAlert.run({ ...e, receivedAt }).changes > 0,
    /** The newest event of every (gateway, rule, device), if it is "raised". */
    activeAlerts: (): AlertRow[] => selectAlerts.all().filter((a) => a.state === "raised"),
    recentAlerts: (limit = 100): AlertRow[] => selectRecentAlerts.all(limit),
    gateways: (): GatewayRow[] =>
      selectGateways.all().map((g) => ({
        id: g.id,
        lastSeen: g.last_seen,
        heartbeat: g.heartbeat ? (JSON.parse(g.heartbeat) as Heartbeat) : null,
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
    countReadings: (gateway: string): number =>
      db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM readings WHERE gateway = ?").get(gateway)
        ?.n ?? 0,
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
