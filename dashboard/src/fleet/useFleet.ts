import type { GatewayEntry } from "@tidegate/protocol";
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, usePoll } from "../api.js";
import { formatHash, type PointRef, parseHash, pickId, pickSeries, type Selection } from "./selection.js";

const POLL_MS = 5000;

const byId = (a: GatewayEntry, b: GatewayEntry) => a.id.localeCompare(b.id);

/**
 * The fleet view's lists: every gateway, the fleet's status counts, and the selected gateway's
 * points with those picked for its chart, each polled every 5 s. The selection lives in the URL hash; the first gateway
 * and its first point are picked when nothing (valid) is chosen.
 */
export function useFleet() {
  const [wanted, setWanted] = useState<Selection>(() => parseHash(location.hash));
  useEffect(() => {
    const onHash = () => setWanted(parseHash(location.hash));
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);

  const gatewaysPoll = usePoll((signal) => api.gateways(signal), POLL_MS);
  // The collector's own counts, overall and by site, for the summary above the table.
  const countsPoll = usePoll((signal) => api.fleet(signal), POLL_MS);
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
  const series = pickSeries(wanted.gateway === gateway ? wanted.series : undefined, points);
  // Only chart points the gateway is known to have (not stale ones from the hash).
  const ready = gateway !== undefined && points !== undefined && series.length > 0;

  const hash = formatHash({ gateway, series });
  useEffect(() => {
    if (hash && hash !== location.hash) history.replaceState(null, "", hash);
  }, [hash]);

  return {
    gateways,
    counts: countsPoll.data,
    gateway,
    // Re-selecting the current gateway keeps its chosen points.
    selectGateway: (id: string) => {
      if (id !== gateway) setWanted({ gateway: id });
    },
    points,
    series,
    ready,
    selectSeries: (list: PointRef[]) => setWanted({ gateway, series: list }),
    error: gatewaysPoll.error ?? pointsPoll.error,
  };
}
