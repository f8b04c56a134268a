import { join } from "node:path";
import type { Reading } from "@tidegate/protocol";
import type { Logger } from "pino";
import { openBuffer, type ReadingBuffer } from "../buffer/buffer.js";
import { startHeartbeat } from "../uplink/heartbeat.js";
import { createUplink, type Uplink } from "../uplink/uplink.js";
import { VERSION } from "../version.js";

export interface VirtualGatewayOptions {
  gateway: string;
  servers: string[];
  /** The gateway's buffer file goes here, as `<gateway>.db`. */
  dir: string;
  /** Points of its one device, each read once per interval. */
  points?: number;
  intervalMs?: number;
  /** Delay before the first reading, so a fleet's polls spread over the interval. */
  phaseMs?: number;
  heartbeatIntervalMs?: number;
  commitIntervalMs?: number;
  log: Logger;
}

export interface VirtualGatewayStats {
  gateway: string;
  connected: boolean;
  /** Readings committed to the buffer (its last seq). */
  committed: number;
  /** Every seq up to this one is acknowledged by JetStream. */
  acked: number;
  /** Readings not yet acknowledged, committed or still waiting for the next commit. */
  backlog: number;
  epoch: number;
}

export interface VirtualGateway {
  readonly gateway: string;
  readonly buffer: ReadingBuffer;
  readonly uplink: Uplink;
  /** Stops reading; the uplink keeps forwarding what is buffered until stop(). */
  pause(): void;
  stats(): VirtualGatewayStats;
  stop(): Promise<void>;
}

export const VIRTUAL_DEVICE = "meter";
export const pointName = (i: number) => `p${String(i + 1).padStart(2, "0")}`;

/**
 * An agent without devices: one simulated device's points, read every interval, go through the
 * agent's own buffer, uplink and heartbeat, so a fleet of these sends what real agents send (the
 * same subjects, message ids and wire version) without a second implementation of the wire.
 */
export function startVirtualGateway(o: VirtualGatewayOptions): VirtualGateway {
  const points = Array.from({ length: o.points ?? 50 }, (_, i) => pointName(i));
  const intervalMs = o.intervalMs ?? 1000;
  const startedAt = Date.now();
  const log = o.log.child({ gateway: o.gateway });
  const buffer = openBuffer({ path: join(o.dir, `${o.gateway}.db`), commitIntervalMs: o.commitIntervalMs });
  const uplink = createUplink({ gateway: o.gateway, servers: o.servers, buffer, log });
  let polls = 0;
  const poll = () => {
    const ts = Date.now();
    // A slow wave per point: values a chart shows as distinct lines, deterministic per point.
    const readings: Reading[] = points.map((point, i) => ({
      ts,
      device: VIRTUAL_DEVICE,
      point,
      value: Math.round((100 + i + 10 * Math.sin(ts / 60_000 + i)) * 1000) / 1000,
      quality: "good",
    }));
    buffer.append(readings);
    polls += 1;
  };
  let timer: NodeJS.Timeout | undefined;
  const first = setTimeout(() => {
    poll();
    timer = setInterval(poll, intervalMs);
  }, o.phaseMs ?? 0);
  const pause = () => {
    clearTimeout(first);
    clearInterval(timer);
  };
  uplink.start();
  const stopHeartbeat = startHeartbeat({
    gateway: o.gateway,
    version: VERSION,
    startedAt,
    buffer,
    uplink,
    intervalMs: o.heartbeatIntervalMs ?? 5000,
    sources: () => [
      {
        device: VIRTUAL_DEVICE,
        status: polls > 0 ? "ok" : "starting",
        successRate: 1,
      },
    ],
  });
  return {
    gateway: o.gateway,
    buffer,
    uplink,
    pause,
    stats() {
      const s = buffer.stats();
      return {
        gateway: o.gateway,
        connected: uplink.status().connected,
        committed: s.lastSeq,
        acked: s.lastAckedSeq,
        backlog: s.backlog + s.pending,
        epoch: s.epoch,
      };
    },
    async stop() {
      pause();
      stopHeartbeat();
      buffer.flush();
      await uplink.stop();
      buffer.close();
    },
  };
}
