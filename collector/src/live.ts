import type { Batch, ReadingValue } from "@tidegate/protocol";

export interface LiveReading {
  gateway: string;
  device: string;
  point: string;
  ts: number;
  /** null for a bad reading (a gap), never a made-up value. */
  value: ReadingValue | null;
}

type Listener = (r: LiveReading) => void;

/**
 * New readings for dashboards, pushed after they are committed: subscribers name the series they
 * chart, so a browser gets only what it shows. In-process; each collector instance feeds its own
 * browsers with what it ingested itself.
 */
export function createLiveFeed() {
  const byKey = new Map<string, Set<Listener>>();
  const key = (gateway: string, device: string, point: string) => `${gateway}/${device}/${point}`;
  return {
    publish(batches: readonly Batch[]) {
      if (byKey.size === 0) return;
      for (const b of batches)
        for (const r of b.readings) {
          const listeners = byKey.get(key(b.gateway, r.device, r.point));
          if (!listeners) continue;
          const live: LiveReading = {
            gateway: b.gateway,
            device: r.device,
            point: r.point,
            ts: r.ts,
            value: r.quality === "bad" ? null : r.value,
          };
          for (const l of listeners) l(live);
        }
    },
    subscribe(keys: readonly string[], listener: Listener): () => void {
      for (const k of keys) {
        const set = byKey.get(k) ?? new Set();
        set.add(listener);
        byKey.set(k, set);
      }
      return () => {
        for (const k of keys) {
          const set = byKey.get(k);
          set?.delete(listener);
          if (set?.size === 0) byKey.delete(k);
        }
      };
    },
    subscribers: () => [...byKey.values()].reduce((n, s) => n + s.size, 0),
  };
}
export type LiveFeed = ReturnType<typeof createLiveFeed>;
