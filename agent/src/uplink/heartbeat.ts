import {
  encodeHeartbeat,
  HEARTBEAT_VERSION,
  type Heartbeat,
  type SourceHealth,
  subjects,
} from "@tidegate/protocol";
import { backlogSummary } from "../buffer/backlog.js";
import type { ReadingBuffer } from "../buffer/buffer.js";
import type { Uplink } from "./uplink.js";

export interface HeartbeatOptions {
  gateway: string;
  version: string;
  startedAt: number;
  buffer: ReadingBuffer;
  uplink: Uplink;
  sources: () => SourceHealth[];
  intervalMs: number;
}

export function buildHeartbeat(o: Omit<HeartbeatOptions, "intervalMs">, now = Date.now()): Heartbeat {
  const stats = o.buffer.stats();
  return {
    v: HEARTBEAT_VERSION,
    gateway: o.gateway,
    version: o.version,
    ts: now,
    uptimeS: Math.round((now - o.startedAt) / 1000),
    ...backlogSummary(stats, now),
    ackedSeq: stats.lastAckedSeq,
    epoch: stats.epoch,
    alarms: stats.alarms.map((a) => ({ code: a.code, message: a.message, since: a.since })),
    uplinkConnected: o.uplink.status().connected,
    sources: o.sources(),
  };
}

/** Publishes the heartbeat on core NATS while connected; a missed beat is fine, the next one replaces it. */
export function startHeartbeat(o: HeartbeatOptions): () => void {
  const beat = () => {
    const nc = o.uplink.connection();
    if (!nc) return;
    try {
      nc.publish(subjects.status(o.gateway), encodeHeartbeat(buildHeartbeat(o)));
    } catch {
      // Connection closing under us: the next beat goes out after the reconnect.
    }
  };
  const timer = setInterval(beat, o.intervalMs);
  const first = setTimeout(beat, 500);
  return () => {
    clearInterval(timer);
    clearTimeout(first);
  };
}
