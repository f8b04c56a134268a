import { useEffect, useRef, useState } from "preact/hooks";
import { announceSignedOut } from "./auth/session.js";
import { type SeriesQuery, seriesUrl } from "./chart/query.js";
import { noteServerDate } from "./clock.js";
import { t } from "./i18n.js";

// ---- Wire types (mirrors of the agent's and collector's /api/v1 responses) ----

export type Info =
  | { role: "agent"; gateway: string; version: string }
  | { role: "collector"; version: string };

export type DeviceStatusName = "ok" | "degraded" | "failing" | "starting";
export interface DeviceStatus {
  id: string;
  profile: string;
  status: DeviceStatusName;
  lastError?: string;
  lastLatencyMs?: number;
  successRate: number;
  lastPollTs?: number;
}
/** Readings dropped by the agent's buffer, by reason ("buffer-full", "max-age", "buffer-full-rejected"). */
export type DropCounts = Record<string, number>;
export interface AgentStatus {
  gateway: string;
  version: string;
  uptimeS: number;
  uplink: {
    connected: boolean;
    lastError?: string;
    lastAckSeq: number;
    batchesSent: number;
    /** Draining an outage's backlog (oldest first) while fresh readings go out live. */
    backfilling: boolean;
    /** Batch wire versions: what this agent sends, what the collector reads; `mismatch` says why sending is held. */
    wire?: {
      sends: number;
      collector: { min: number; max: number; version: string } | null;
      mismatch?: string;
    };
  };
  /** Last seq committed to the buffer; every seq up to `acked` is acknowledged or dropped. */
  seq: { committed: number; acked: number };
  buffer: {
    backlog: number;
    oldestUnsentAgeMs: number | null;
    lastSeq: number;
    /** Size of the buffer file in use, in bytes. */
    bytes: number;
    dropped: DropCounts;
    droppedRanges: [number, number][];
  };
  devices: DeviceStatus[];
  /** The edge rules' alerts: those raised now, and the latest events. */
  alerts?: { active: ActiveAlert[]; recent: (ActiveAlert & { state: "raised" | "cleared"; at: number })[] };
}

export interface ActiveAlert {
  rule: string;
  device: string;
  point: string;
  severity: "info" | "warning" | "critical";
  since: number;
  value: number | null;
  message: string;
  ackedAt: number | null;
}

export type Quality = "good" | "bad" | "uncertain";
export interface LatestReading {
  device: string;
  point: string;
  name: string;
  unit?: string;
  ts: number;
  value: number | boolean | string | null;
  quality: Quality;
  reason?: string;
}

export interface GatewaySummary {
  id: string;
  /** From the collector's sites file. */
  site?: string;
  lastSeen: number | null;
  online: boolean;
  version?: string;
  /** The gateway's clock minus the collector's when its heartbeat arrived. */
  clockOffsetMs?: number;
  /** The offset is beyond the collector's tolerance (clockSkewMs). */
  clockSkewed?: boolean;
  /** The gateway's clock stepped between two heartbeats (the latest such jump in the last 24 h). */
  clockJump?: { at: number; ms: number };
  backlog?: number;
  oldestUnsentAgeMs?: number | null;
  uplinkConnected?: boolean;
  dropped?: DropCounts;
  seq: SeqAccounting;
  /** Alerts the gateway's edge rules hold raised now (from its heartbeat). */
  activeAlerts?: {
    rule: string;
    device: string;
    severity: "info" | "warning" | "critical";
    since: number;
    message: string;
  }[];
  /** The batch wire version of the gateway's latest batch, and the one this collector writes. */
  wire?: { version: number; current: number };
}
/** Gateways by status: online and offline split them; alerting and backlogged overlap both. */
export interface StatusCounts {
  gateways: number;
  online: number;
  offline: number;
  alerting: number;
  backlogged: number;
}
/**
 * GET /api/v1/fleet: the counts overall and by site; every site of the collector's sites file
 * (in its order), then gateways in no site under `site: null`.
 */
export interface FleetCounts {
  total: StatusCounts;
  sites: (StatusCounts & { site: string | null })[];
}
/** The collector's completeness accounting of one gateway's seqs. */
export interface SeqAccounting {
  /** Highest seq received. */
  max: number;
  stored: number;
  /** Seqs at or below `max` the agent reported dropped. */
  dropped: number;
  /** Seqs at or below `max` neither stored nor reported dropped: in flight during a backfill, or lost. */
  missing: number;
}
export interface PointSummary {
  gateway: string;
  device: string;
  point: string;
  lastTs: number;
  lastValue: number | boolean | string | null;
  /** Shown on the chart's axis when the collector knows it. */
  unit?: string;
}
/** GET /api/v1/series with repeated `series=`: every series on one time axis, nulls for gaps. */
export interface SeriesAnswer {
  from: number;
  to: number;
  /** The collector's bucket width in ms, or "raw" when these are the readings themselves. */
  step: number | "raw";
  ts: number[];
  series: {
    gateway: string;
    device: string;
    point: string;
    /** The average per bucket (or the readings, when raw). */
    values: (number | null)[];
    /** With agg=minmax and buckets: the band around `values`. */
    min?: (number | null)[];
    max?: (number | null)[];
  }[];
}

// ---- Fetching ----

const TIMEOUT_MS = 8000;

export class ApiError extends Error {}

/** GET a JSON document relative to the page (works at `/` and behind a path prefix), with a timeout. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const ctrl = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctrl.abort();
  }, TIMEOUT_MS);
  const forward = () => ctrl.abort();
  signal?.addEventListener("abort", forward);
  const sentAt = Date.now();
  try {
    const res = await fetch(path, { signal: ctrl.signal, headers: { accept: "application/json" } });
    noteServerDate(res.headers.get("date"), sentAt, Date.now());
    // The session ended (expired, signed out elsewhere, password changed): back to the sign-in form.
    if (res.status === 401) announceSignedOut();
    if (!res.ok) throw new ApiError(t.httpError(res.status));
    try {
      return (await res.json()) as T;
    } catch {
      throw new ApiError(t.badResponse);
    }
  } catch (err) {
    if (err instanceof ApiError || signal?.aborted) throw err;
    throw new ApiError(timedOut ? t.timeoutError : t.networkError);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", forward);
  }
}

function expectArray<T>(value: unknown): T[] {
  if (!Array.isArray(value)) throw new ApiError(t.badResponse);
  return value as T[];
}

export const api = {
  info: (signal?: AbortSignal) => getJson<Info>("api/v1/info", signal),
  status: async (signal?: AbortSignal) => {
    const s = await getJson<AgentStatus>("api/v1/status", signal);
    expectArray(s.devices);
    return s;
  },
  latest: async (signal?: AbortSignal) =>
    expectArray<LatestReading>((await getJson<{ readings: unknown }>("api/v1/latest", signal)).readings),
  gateways: async (signal?: AbortSignal) =>
    expectArray<GatewaySummary>((await getJson<{ gateways: unknown }>("api/v1/gateways", signal)).gateways),
  fleet: async (signal?: AbortSignal) => {
    const f = await getJson<FleetCounts>("api/v1/fleet", signal);
    if (typeof f.total?.gateways !== "number") throw new ApiError(t.badResponse);
    expectArray(f.sites);
    return f;
  },
  points: async (gateway: string, signal?: AbortSignal) =>
    expectArray<PointSummary>(
      (await getJson<{ points: unknown }>(`api/v1/points?${new URLSearchParams({ gateway })}`, signal))
        .points,
    ),
  series: async (q: SeriesQuery, signal?: AbortSignal) => {
    const answer = await getJson<SeriesAnswer>(seriesUrl(q), signal);
    if (!Array.isArray(answer.ts)) throw new ApiError(t.badResponse);
    expectArray(answer.series);
    return answer;
  },
  alerts: (signal?: AbortSignal) =>
    getJson<{
      active: {
        gateway: string;
        rule: string;
        device: string;
        severity: string;
        at: number;
        message: string;
        /** When an operator acknowledged it (on the gateway or from the fleet); null: not yet. */
        ackedAt?: number | null;
      }[];
    }>("api/v1/alerts", signal),
};

// ---- Polling ----

export interface PollState<T> {
  /** Last successful result; kept while later polls fail so the page never goes blank. */
  data: T | undefined;
  /** Message of the most recent failure; cleared by the next success. */
  error: string | undefined;
}

/**
 * Calls `fn` now and then `ms` after each completion (never overlapping), until unmount or
 * `key` changes. A new `key` (e.g. the selected gateway) drops the old data and starts over.
 * Polls immediately when a hidden tab becomes visible again.
 */
export function usePoll<T>(fn: (signal: AbortSignal) => Promise<T>, ms: number, key = ""): PollState<T> {
  const [state, setState] = useState<PollState<T> & { key: string }>({
    data: undefined,
    error: undefined,
    key,
  });
  const fnRef = useRef(fn);
  fnRef.current = fn;

  useEffect(() => {
    const ctrl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight = false;

    const tick = async () => {
      clearTimeout(timer);
      if (inFlight) return;
      inFlight = true;
      try {
        const data = await fnRef.current(ctrl.signal);
        if (!ctrl.signal.aborted) setState({ data, error: undefined, key });
      } catch (err) {
        if (!ctrl.signal.aborted) {
          const error = err instanceof Error ? err.message : String(err);
          setState((s) => ({ data: s.key === key ? s.data : undefined, error, key }));
        }
      } finally {
        inFlight = false;
      }
      if (!ctrl.signal.aborted) timer = setTimeout(tick, ms);
    };
    const onVisible = () => {
      if (document.visibilityState === "visible") void tick();
    };

    void tick();
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      ctrl.abort();
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [ms, key]);

  // Data fetched for a previous key is never shown under the new one.
  return state.key === key ? state : { data: undefined, error: undefined };
}
