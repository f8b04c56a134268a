import { mkdirSync } from "node:fs";
import type { Logger } from "pino";
import { startVirtualGateway, type VirtualGateway, type VirtualGatewayStats } from "./virtual-gateway.js";

export interface VirtualFleetOptions {
  servers: string[];
  /** Buffer files go here, one per gateway. */
  dir: string;
  count: number;
  /** Gateway ids are `<prefix>-0001` and up. */
  prefix?: string;
  /** The first gateway's number, so several processes can share one fleet's id range. */
  firstIndex?: number;
  points?: number;
  intervalMs?: number;
  heartbeatIntervalMs?: number;
  log: Logger;
}

export interface FleetTotals {
  gateways: number;
  connected: number;
  committed: number;
  acked: number;
  backlog: number;
  /** Gateways with nothing left to send. */
  drained: number;
}

export const gatewayName = (prefix: string, n: number) => `${prefix}-${String(n).padStart(4, "0")}`;

export function fleetTotals(stats: readonly VirtualGatewayStats[]): FleetTotals {
  const t: FleetTotals = {
    gateways: stats.length,
    connected: 0,
    committed: 0,
    acked: 0,
    backlog: 0,
    drained: 0,
  };
  for (const s of stats) {
    if (s.connected) t.connected += 1;
    t.committed += s.committed;
    t.acked += s.acked;
    t.backlog += s.backlog;
    if (s.backlog === 0) t.drained += 1;
  }
  return t;
}

/**
 * `count` virtual gateways in this process, each with its own buffer file and NATS connection.
 * Their polls are spread evenly over the interval, as a real fleet's clocks would be, so the
 * collector sees a steady stream rather than one burst a second.
 */
export function startVirtualFleet(o: VirtualFleetOptions) {
  mkdirSync(o.dir, { recursive: true });
  const prefix = o.prefix ?? "gw";
  const first = o.firstIndex ?? 1;
  const intervalMs = o.intervalMs ?? 1000;
  const gateways: VirtualGateway[] = [];
  for (let i = 0; i < o.count; i++)
    gateways.push(
      startVirtualGateway({
        gateway: gatewayName(prefix, first + i),
        servers: o.servers,
        dir: o.dir,
        points: o.points,
        intervalMs,
        phaseMs: Math.floor((i * intervalMs) / o.count),
        heartbeatIntervalMs: o.heartbeatIntervalMs,
        log: o.log,
      }),
    );
  return {
    gateways,
    stats: () => gateways.map((g) => g.stats()),
    totals: () => fleetTotals(gateways.map((g) => g.stats())),
    /** Every gateway stops reading; what is buffered still goes out. */
    pause: () => {
      for (const g of gateways) g.pause();
    },
    async stop() {
      await Promise.all(gateways.map((g) => g.stop()));
    },
  };
}

export type VirtualFleet = ReturnType<typeof startVirtualFleet>;
