import type { AlertEntry, Heartbeat, ReadingValue } from "@tidegate/protocol";

/** The rows and queries of the collector's store, owned by its interfaces (backend.ts, sqlite-store.ts). */

export interface SeriesQuery {
  gateway: string;
  device: string;
  point: string;
  from: number;
  to: number;
  limit?: number;
}

export interface SeriesResult {
  ts: number[];
  values: (number | null)[];
}

export interface InsertResult {
  inserted: number;
  duplicates: number;
}

export interface GatewayRow {
  id: string;
  lastSeen: number | null;
  heartbeat: Heartbeat | null;
  /** Highest seq stored and how many readings are stored for this gateway. */
  maxSeq: number;
  stored: number;
  /** The batch wire version of the gateway's latest batch. */
  wireVersion: number | null;
  firstSeen: number | null;
  /** When the latest heartbeat arrived, by this collector's clock. */
  heartbeatAt: number | null;
  /** The latest jump of the gateway's clock between two heartbeats (ms ahead; negative: back). */
  clockJump?: { at: number; ms: number } | null;
}

export interface PointRow {
  gateway: string;
  device: string;
  point: string;
  lastTs: number;
  lastValue: ReadingValue | null;
}

/** An alert event as the store keeps it: what GET /api/v1/alerts answers. */
export type AlertRow = AlertEntry;
