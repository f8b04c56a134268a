import { useEffect, useState } from "preact/hooks";
import type { LivePoint } from "../chart/data.js";

const KEEP = 5000;

/**
 * Readings of one series pushed by the collector (GET /api/v1/live, Server-Sent Events); an
 * empty key subscribes to nothing. EventSource reconnects on its own after a network hiccup.
 */
export function useLiveFeed(seriesKey: string): LivePoint[] {
  const [points, setPoints] = useState<LivePoint[]>([]);
  useEffect(() => {
    setPoints([]);
    if (!seriesKey || typeof EventSource === "undefined") return;
    const source = new EventSource(`api/v1/live?${new URLSearchParams({ series: seriesKey })}`);
    source.addEventListener("reading", (e) => {
      const r = JSON.parse((e as MessageEvent<string>).data) as { ts: number; value: unknown };
      const value =
        typeof r.value === "number" ? r.value : typeof r.value === "boolean" ? Number(r.value) : null;
      setPoints((prev) => [...prev.slice(-(KEEP - 1)), { ts: r.ts, value }]);
    });
    return () => source.close();
  }, [seriesKey]);
  return points;
}
