import { useEffect, useState } from "preact/hooks";
import type { LivePoint } from "../chart/data.js";

const KEEP = 5000;

/**
 * Readings of the charted series pushed by the collector (GET /api/v1/live, Server-Sent Events),
 * each tagged with its series' index in `keys` ("gateway/device/point"). No keys, no connection.
 * EventSource reconnects on its own after a network hiccup.
 */
export function useLiveFeed(keys: readonly string[]): LivePoint[] {
  const [points, setPoints] = useState<LivePoint[]>([]);
  const joined = keys.join("\n");
  useEffect(() => {
    setPoints([]);
    const list = joined ? joined.split("\n") : [];
    if (list.length === 0 || typeof EventSource === "undefined") return;
    const params = new URLSearchParams();
    for (const k of list) params.append("series", k);
    const source = new EventSource(`api/v1/live?${params}`);
    source.addEventListener("reading", (e) => {
      const r = JSON.parse((e as MessageEvent<string>).data) as {
        gateway: string;
        device: string;
        point: string;
        ts: number;
        value: unknown;
      };
      const index = list.indexOf(`${r.gateway}/${r.device}/${r.point}`);
      if (index < 0 || typeof r.ts !== "number") return;
      const value =
        typeof r.value === "number" ? r.value : typeof r.value === "boolean" ? Number(r.value) : null;
      setPoints((prev) => [...prev.slice(-(KEEP - 1)), { index, ts: r.ts, value }]);
    });
    return () => source.close();
  }, [joined]);
  return points;
}
