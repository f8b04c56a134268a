import { useEffect, useMemo, useState } from "preact/hooks";
import { api, type GatewaySummary, usePoll } from "../api.js";
import { toUplotData, type UplotData } from "../chart/data.js";
import { serverNow } from "../clock.js";
import { formatHash, parseHash, pickId, pickSeries, type Selection } from "./selection.js";

const POLL_MS = 5000;
export const WINDOW_MS = 15 * 60_000;

export interface ChartData {
  data: UplotData;
  window: { from: number; to: number };
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

  const chartPoll = usePoll<ChartData | undefined>(
    async (signal) => {
      if (!ready || !gateway || !series) return undefined;
      const to = serverNow();
      const from = to - WINDOW_MS;
      const s = await api.series({ gateway, device: series.device, point: series.point, from, to }, signal);
      return { data: toUplotData(s, { splitGaps: true }), window: { from, to } };
    },
    POLL_MS,
    ready ? JSON.stringify([gateway, series.device, series.point]) : "",
  );

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
    chart: chartPoll.data,
    error: gatewaysPoll.error ?? pointsPoll.error ?? chartPoll.error,
  };
}
