import { type KV, Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  COLLECTOR_WIRE_KEY,
  type CollectorWire,
  decodeCollectorWire,
  decodeFleetPacing,
  FLEET_PACING_KEY,
  TIDEGATE_KV_BUCKET,
  wireMismatch,
} from "@tidegate/protocol";

export interface WireStatus {
  /** The batch wire version this agent sends. */
  sends: number;
  /** What the collectors announced they read; null until one has. */
  collector: { min: number; max: number; version: string } | null;
  /** Why nothing is sent, when the collector cannot read this agent's batches. */
  mismatch?: string;
  heldSince?: number;
}

/** How often the fleet's redial window is read again once known. */
const PACING_CHECK_MS = 30_000;

/**
 * Keeps track of what the collectors announced in JetStream KV: the batch versions they read
 * (JetStream acks a batch on storage, so publishing what no collector reads would strand it; the
 * uplink holds instead while `mismatch()` says why) and the fleet's redial window.
 */
export function createCollectorWireWatch(sends: number) {
  let announced: CollectorWire | undefined;
  let spreadMs: number | undefined;
  let pacingReadAt = 0;
  let kv: KV | undefined;

  return {
    async refresh(nc: NatsConnection): Promise<void> {
      try {
        kv ??= await new Kvm(nc).open(TIDEGATE_KV_BUCKET);
        const entry = await kv.get(COLLECTOR_WIRE_KEY);
        announced = entry && entry.operation === "PUT" ? decodeCollectorWire(entry.value) : undefined;
        // The window changes with the fleet's size, slowly: a thousand gateways reading it with
        // every wire check would double what the fleet asks of JetStream for nothing.
        if (spreadMs === undefined || Date.now() - pacingReadAt >= PACING_CHECK_MS) {
          const pacing = await kv.get(FLEET_PACING_KEY);
          pacingReadAt = Date.now();
          // A collector from before pacing announces none: keep the last window known.
          if (pacing?.operation === "PUT") spreadMs = decodeFleetPacing(pacing.value).spreadMs;
        }
      } catch {
        // No bucket yet (no collector has started) or the link is down: keep what we knew.
        kv = undefined;
      }
    },
    mismatch: () => wireMismatch(sends, announced),
    /** The window the collector asks this fleet to spread its first redial after a loss over. */
    spreadMs: () => spreadMs,
    status(): WireStatus {
      const s: WireStatus = {
        sends,
        collector: announced
          ? { min: announced.min, max: announced.max, version: announced.collectorVersion }
          : null,
      };
      const m = wireMismatch(sends, announced);
      if (m) s.mismatch = m;
      return s;
    },
  };
}
