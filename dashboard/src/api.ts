import type {
  AgentStatus,
  AlertsAnswer,
  FleetCounts,
  GatewayEntry,
  GatewaysAnswer,
  InfoAnswer,
  LatestReading,
  PointEntry,
  SeriesAnswer,
} from "@tidegate/protocol";
import { useEffect, useRef, useState } from "preact/hooks";
import { announceSignedOut } from "./auth/session.js";
import { type SeriesQuery, seriesUrl } from "./chart/query.js";
import { noteServerDate } from "./clock.js";
import { t } from "./i18n.js";

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
  info: (signal?: AbortSignal) => getJson<InfoAnswer>("api/v1/info", signal),
  status: async (signal?: AbortSignal) => {
    const s = await getJson<AgentStatus>("api/v1/status", signal);
    expectArray(s.devices);
    return s;
  },
  latest: async (signal?: AbortSignal) =>
    expectArray<LatestReading>((await getJson<{ readings: unknown }>("api/v1/latest", signal)).readings),
  gateways: async (signal?: AbortSignal) =>
    expectArray<GatewayEntry>((await getJson<Partial<GatewaysAnswer>>("api/v1/gateways", signal)).gateways),
  fleet: async (signal?: AbortSignal) => {
    const f = await getJson<FleetCounts>("api/v1/fleet", signal);
    if (typeof f.total?.gateways !== "number") throw new ApiError(t.badResponse);
    expectArray(f.sites);
    return f;
  },
  points: async (gateway: string, signal?: AbortSignal) =>
    expectArray<PointEntry>(
      (await getJson<{ points?: PointEntry[] }>(`api/v1/points?${new URLSearchParams({ gateway })}`, signal))
        .points,
    ),
  series: async (q: SeriesQuery, signal?: AbortSignal) => {
    const answer = await getJson<SeriesAnswer>(seriesUrl(q), signal);
    if (!Array.isArray(answer.ts)) throw new ApiError(t.badResponse);
    expectArray(answer.series);
    return answer;
  },
  alerts: (signal?: AbortSignal) => getJson<AlertsAnswer>("api/v1/alerts", signal),
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
