import { BATCH_VERSION, type FleetCounts, type GatewayEntry, type StatusCounts } from "@tidegate/protocol";
import { z } from "zod";
import type { GatewayRow } from "../store/types.js";
import { completeness } from "./completeness.js";

/** How long a clock jump stays flagged on the fleet view. */
const CLOCK_JUMP_SHOWN_MS = 24 * 3600_000;

/** Most gateways one page returns; also the default, so callers that never page still see a whole fleet. */
export const MAX_PAGE = 1000;

export const GATEWAY_STATUSES = ["online", "offline", "alerting", "backlogged"] as const;
export type GatewayStatus = (typeof GATEWAY_STATUSES)[number];
const SORT_KEYS = ["id", "site", "status", "lastSeen", "version", "backlog", "alerts"] as const;

/** GET /api/v1/gateways: filters, then sort, then a page. */
export const gatewaysQuerySchema = z.object({
  site: z.string().min(1).max(200).optional(),
  status: z.enum(GATEWAY_STATUSES).optional(),
  /** A substring of the gateway id, case-insensitive. */
  q: z.string().max(200).optional(),
  sort: z.enum(SORT_KEYS).default("id"),
  order: z.enum(["asc", "desc"]).default("asc"),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(MAX_PAGE),
  offset: z.coerce.number().int().min(0).default(0),
});
export type GatewaysQuery = z.infer<typeof gatewaysQuerySchema>;

export interface FleetContext {
  now: number;
  offlineAfterMs: number;
  clockSkewMs: number;
  sites?: Record<string, string>;
}

function clock(agentTs: number | undefined, receivedAt: number | null, skewMs: number) {
  if (agentTs === undefined || receivedAt === null) return {};
  const clockOffsetMs = agentTs - receivedAt;
  return { clockOffsetMs, clockSkewed: Math.abs(clockOffsetMs) > skewMs };
}

/** One gateway as the fleet view shows it. */
export function gatewayEntry(g: GatewayRow, ctx: FleetContext): GatewayEntry {
  return {
    id: g.id,
    site: ctx.sites?.[g.id],
    firstSeen: g.firstSeen,
    lastSeen: g.lastSeen,
    online: g.lastSeen !== null && ctx.now - g.lastSeen < ctx.offlineAfterMs,
    version: g.heartbeat?.version,
    backlog: g.heartbeat?.backlog,
    oldestUnsentAgeMs: g.heartbeat?.oldestUnsentAgeMs,
    uplinkConnected: g.heartbeat?.uplinkConnected,
    sources: g.heartbeat?.sources,
    dropped: g.heartbeat?.dropped,
    seq: completeness(g),
    // A gateway still sending an older wire version is read, and pointed out for upgrade.
    wire: g.wireVersion === null ? undefined : { version: g.wireVersion, current: BATCH_VERSION },
    // The agent's clock minus ours when its heartbeat arrived (plus the network's delay).
    ...clock(g.heartbeat?.ts, g.heartbeatAt, ctx.clockSkewMs),
    // Its clock stepped between two heartbeats (readings around then carry its wrong time).
    clockJump: g.clockJump && ctx.now - g.clockJump.at < CLOCK_JUMP_SHOWN_MS ? g.clockJump : undefined,
    alarms: g.heartbeat?.alarms,
    activeAlerts: g.heartbeat?.activeAlerts,
    ...(g.heartbeat?.upgrade ? { upgrade: g.heartbeat.upgrade } : {}),
  };
}

/**
 * Online and offline split the fleet; alerting (edge alerts raised) and backlogged (readings
 * waiting to be sent) come from the latest heartbeat, so an offline gateway keeps what it last said.
 */
export const hasStatus: Record<GatewayStatus, (g: GatewayEntry) => boolean> = {
  online: (g) => g.online,
  offline: (g) => !g.online,
  alerting: (g) => (g.activeAlerts?.length ?? 0) > 0,
  backlogged: (g) => (g.backlog ?? 0) > 0,
};

type Key = string | number | undefined;
const keyOf: Record<GatewaysQuery["sort"], (g: GatewayEntry) => Key> = {
  id: (g) => g.id,
  site: (g) => g.site,
  // Offline first when ascending: the rows that need someone come to the top.
  status: (g) => (g.online ? 1 : 0),
  lastSeen: (g) => g.lastSeen ?? undefined,
  version: (g) => g.version,
  backlog: (g) => g.backlog,
  alerts: (g) => g.activeAlerts?.length ?? 0,
};

// Plain code-unit order, as SQLite's ORDER BY id: the default order is what it always was.
const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

/** The matching gateways (all of them, for counts) and the requested page of them. */
export function selectGateways(all: readonly GatewayEntry[], q: GatewaysQuery) {
  const needle = q.q?.trim().toLowerCase() ?? "";
  const matched = all.filter(
    (g) =>
      (q.site === undefined || g.site === q.site) &&
      (q.status === undefined || hasStatus[q.status](g)) &&
      (needle === "" || g.id.toLowerCase().includes(needle)),
  );
  const key = keyOf[q.sort];
  const sign = q.order === "asc" ? 1 : -1;
  const sorted =
    q.sort === "id"
      ? sign === 1
        ? matched
        : [...matched].reverse()
      : matched
          .map((g) => ({ g, k: key(g) }))
          // Rows without a value for the sort key go last either way; ties keep id order.
          .sort((a, b) => {
            if (a.k === undefined || b.k === undefined)
              return a.k === b.k ? compare(a.g.id, b.g.id) : a.k === undefined ? 1 : -1;
            return sign * compare(a.k, b.k) || compare(a.g.id, b.g.id);
          })
          .map((x) => x.g);
  return { matched, page: sorted.slice(q.offset, q.offset + q.limit) };
}

const zero = (): StatusCounts => ({ gateways: 0, online: 0, offline: 0, alerting: 0, backlogged: 0 });
function count(into: StatusCounts, g: GatewayEntry) {
  into.gateways += 1;
  for (const s of GATEWAY_STATUSES) if (hasStatus[s](g)) into[s] += 1;
}

/**
 * GET /api/v1/fleet: counts overall and by site. Every site of the sites file is listed (in its
 * order, even before its gateways are seen); gateways in no site come last, under `site: null`.
 */
export function fleetSummary(all: readonly GatewayEntry[], sites: Record<string, string> = {}): FleetCounts {
  const total = zero();
  const bySite = new Map<string | null, StatusCounts>();
  for (const site of Object.values(sites)) if (!bySite.has(site)) bySite.set(site, zero());
  let unassigned: StatusCounts | undefined;
  for (const g of all) {
    count(total, g);
    if (g.site === undefined) {
      unassigned ??= zero();
      count(unassigned, g);
    } else {
      const of = bySite.get(g.site) ?? zero();
      bySite.set(g.site, of);
      count(of, g);
    }
  }
  return {
    total,
    sites: [
      ...[...bySite].map(([site, counts]) => ({ site, ...counts })),
      ...(unassigned ? [{ site: null, ...unassigned }] : []),
    ],
  };
}
