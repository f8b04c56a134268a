import type { Heartbeat, ReadingValue } from "@tidegate/protocol";
import type Database from "better-sqlite3";
import { createClockJumps } from "./clock-jumps.js";
import type { LatestValues } from "./latest-values.js";
import type { GatewayRow, PointRow } from "./types.js";

/**
 * The registry: gateways and their latest heartbeats, clock jumps and completeness counters, and
 * the series with their newest values. Ingest keeps it (ingest.ts); in InfluxDB mode it is all the
 * SQLite file holds beside the seq runs.
 */
export function createRegistry(
  db: Database.Database,
  latest: LatestValues,
  options: { clockJumpMs?: number; writeLatestOnRead?: boolean } = {},
) {
  const writeLatestOnRead = options.writeLatestOnRead ?? true;
  const writeLatestOf = db.transaction((gateway: string) => latest.writeGateway(gateway));
  const clockJumps = createClockJumps(db, options.clockJumpMs);
  const saveHeartbeat = db.prepare(`
    INSERT INTO gateways (id, last_seen, heartbeat, epoch, first_seen, heartbeat_at) VALUES (@id, @at, @hb, @epoch, @at, @at)
    ON CONFLICT (id) DO UPDATE SET last_seen = max(coalesce(last_seen, 0), excluded.last_seen),
      heartbeat = excluded.heartbeat, epoch = excluded.epoch, heartbeat_at = excluded.heartbeat_at`);
  const countGateways = db.prepare("SELECT count(*) FROM gateways").pluck();
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

  return {
    /** Returns how far the gateway's clock jumped since its previous heartbeat, beyond the threshold. */
    saveHeartbeat: db.transaction((hb: Heartbeat, receivedAt: number = Date.now()): number | undefined => {
      const jump = clockJumps.observe(hb.gateway, { agentTs: hb.ts, receivedAt });
      saveHeartbeat.run({ id: hb.gateway, at: receivedAt, hb: JSON.stringify(hb), epoch: hb.epoch });
      if (jump !== undefined) clockJumps.record(hb.gateway, receivedAt, jump);
      return jump;
    }),
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
    /** Writes the gateway's newest values to the `series` table now (before another connection reads them). */
    writeLatest(gateway: string): void {
      if (latest.waits(gateway)) writeLatestOf.immediate(gateway);
    },
    points(gateway: string): PointRow[] {
      if (writeLatestOnRead && latest.waits(gateway)) writeLatestOf.immediate(gateway);
      return selectPoints.all(gateway).map((p) => ({
        gateway: p.gateway,
        device: p.device,
        point: p.point,
        lastTs: p.last_ts,
        lastValue: p.last_value === null ? null : (JSON.parse(p.last_value) as ReadingValue),
      }));
    },
  };
}

export type Registry = ReturnType<typeof createRegistry>;
