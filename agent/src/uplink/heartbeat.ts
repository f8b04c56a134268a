import {
  encodeHeartbeat,
  HEARTBEAT_VERSION,
  type Heartbeat,
  type SourceHealth,
  subjects,
  type UpgradeStatus,
} from "@tidegate/protocol";
import { agentAlarms } from "../alarms.js";
import { backlogSummary } from "../buffer/backlog.js";
import type { ReadingBuffer } from "../buffer/buffer.js";
import type { ActiveAlert } from "../rules/alerts-store.js";
import type { Uplink } from "./uplink.js";

export interface HeartbeatOptions {
  gateway: string;
  version: string;
  startedAt: number;
  buffer: ReadingBuffer;
  uplink: Uplink;
  sources: () => SourceHealth[];
  intervalMs: number;
  /** Active alerts of the edge rules, for the fleet view. */
  alerts?: () => ActiveAlert[];
  /** The latest software upgrade (agent.upgrade), while under way and after. */
  upgrade?: () => UpgradeStatus | undefined;
  /** The epoch batches are filed under; 0 when playing an agent from before epochs. */
  epoch?: number;
}

export function buildHeartbeat(o: Omit<HeartbeatOptions, "intervalMs">, now = Date.now()): Heartbeat {
  const stats = o.buffer.stats();
  const uplink = o.uplink.status();
  const upgrade = o.upgrade?.();
  return {
    v: HEARTBEAT_VERSION,
    gateway: o.gateway,
    version: o.version,
    ts: now,
    uptimeS: Math.round((now - o.startedAt) / 1000),
    ...backlogSummary(stats, now),
    ackedSeq: stats.lastAckedSeq,
    epoch: o.epoch ?? stats.epoch,
    alarms: agentAlarms(stats, uplink),
    uplinkConnected: uplink.connected,
    sources: o.sources(),
    activeAlerts: (o.alerts?.() ?? []).map((a) => ({
      rule: a.rule,
      device: a.device,
      severity: a.severity,
      since: a.since,
      message: a.message,
    })),
    ...(upgrade ? { upgrade } : {}),
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
