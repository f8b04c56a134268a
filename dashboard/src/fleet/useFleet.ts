import { useEffect, useMemo, useState } from "preact/hooks";
import { api, type GatewaySummary, usePoll } from "../api.js";
import { appendLive, toUplotData, type UplotData } from "../chart/data.js";
import { serverNow } from "../clock.js";
import { formatHash, parseHash, pickId, pickSeries, type Selection } from "./selection.js";
import { useLiveFeed } from "./useLiveFeed.js";

const POLL_MS = 5000;
export const WINDOW_MS = 15 * 60_000;

/** Chart ranges central staff pick from; the collector downsamples long ones (step=auto). */
export const RANGES = [
  { id: "15m", ms: 15 * 60_000 },
  { id: "1h", ms: 3_600_000 },
  { id: "24h", ms: 86_400_000 },
  { id: "7d", ms: 7 * 86_400_000 },
  { id: "30d", ms: 30 * 86_400_000 },
] as const;
export type RangeId = (typeof RANGES)[number]["id"];

export interface ChartData {
  data: UplotData;
  window: { from: number; to: number };
  /** The collector's bucket width for this range, or "raw". */
  step?: number | "raw";
  /** Readings pushed live since the last poll. */
  liveCount?: number;
}

const byId = (a: GatewaySummary, b: GatewaySummary) => a.id.localeCompare(b.id);

/**
 * Everything the fleet view shows: the gateway list, the selected gateway's points and the
 * selected point's last 15 minutes, each polled every 5 s. The selection lives in the URL hash;
 * the first gateway and its first point are picked when nothing (valid) is chosen.
 */
export function useFleet() {
  const [wanted, setWanted] = useState<Selection>(() => parseHash(location.hash));
  useEffect(() => {
    const onHash = () => setWanted(parseHash(location.hash));
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);

  const gatewaysPoll = usePoll((signal) => api.gateways(signal), POLL_MS);
  const gateways = useMemo(() => gatewaysPoll.data && [...gatewaysPoll.data].sort(byId), [gatewaysPoll.data]);
  // Wait for the list so a stale gateway from the hash is never queried.
  const ids = gateways?.map((g) => g.id);
  const gateway = ids && pickId(wanted.gateway, ids);

  const pointsPoll = usePoll(
    (signal) => (gateway ? api.points(gateway, signal) : Promise.resolve([])),
    POLL_MS,
    gateway ?? "",
  );
  // The collector's order is kept: "first point" means its first.
  const points = pointsPoll.data;
  const series = pickSeries(wanted.gateway === gateway ? wanted : {}, points);
  // Only fetch a series the gateway is known to have (not a stale one from the hash).
  const ready = gateway !== undefined && points !== undefined && series !== undefined;

  const [range, setRange] = useState<RangeId>("15m");
  const rangeMs = (RANGES.find((r) => r.id === range) ?? RANGES[0]).ms;
  const chartPoll = usePoll<ChartData | undefined>(
    async (signal) => {
      if (!ready || !gateway || !series) return undefined;
      const to = serverNow();
      const from = to - rangeMs;
      const s = await api.series({ gateway, device: series.device, point: series.point, from, to }, signal);
      // Buckets already carry their gaps as nulls; only raw samples need gaps found.
      return { data: toUplotData(s, { splitGaps: s.step === "raw" }), window: { from, to }, step: s.step };
    },
    // A month moves slowly: no need to ask every 5 s.
    rangeMs > 3_600_000 ? 60_000 : POLL_MS,
    ready ? JSON.stringify([gateway, series.device, series.point, range]) : "",
  );

  // Ranges that end now also get readings pushed as they are stored (SSE), between polls.
  const liveKey = ready && rangeMs <= 3_600_000 ? `${gateway}/${series.device}/${series.point}` : "";
  const live = useLiveFeed(liveKey);
  const polled = chartPoll.data;
  const chart = useMemo(() => {
    if (!polled) return undefined;
    const since = live.filter((p) => p.ts > polled.window.to - rangeMs);
    return { ...polled, ...appendLive(polled.data, since, polled.window), liveCount: since.length };
  }, [polled, live, rangeMs]);

  const hash = formatHash({ gateway, device: series?.device, point: series?.point });
  useEffect(() => {
    if (hash && hash !== location.hash) history.replaceState(null, "", hash);
  }, [hash]);

  return {
    gateways,
    gateway,
    // Re-selecting the current gateway keeps its chosen point.
    selectGateway: (id: string) => {
      if (id !== gateway) setWanted({ gateway: id });
    },
    points,
    series,
    selectSeries: (device: string, point: string) => setWanted({ gateway, device, point }),
    chart,
    range,
    selectRange: setRange,
    error: gatewaysPoll.error ?? pointsPoll.error ?? chartPoll.error,
  };
}
