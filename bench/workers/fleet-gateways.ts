// Part of a virtual fleet in a process of its own: gateways running the agent's own buffer, uplink
// and heartbeat code (agent/src/fleet). Driven by bench/figures/fleet.ts through bench/lib/virtual-fleet.ts.
import { monitorEventLoopDelay } from "node:perf_hooks";
import pino from "pino";
import { startVirtualFleet, type VirtualFleet } from "../../agent/src/fleet/virtual-fleet.js";
import { serve, wallNow } from "../lib/worker.js";

let fleet: VirtualFleet | undefined;
/** When each gateway was last seen to (re)connect, sampled every 100 ms. */
let connects: number[] = [];
let watch: NodeJS.Timeout | undefined;
// How late this process's timers ran: a gateway's redial fires late when the loop is busy.
const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();

function running(): VirtualFleet {
  if (!fleet) throw new Error("no fleet started");
  return fleet;
}

serve({
  start(a: {
    servers: string[];
    dir: string;
    count: number;
    firstIndex: number;
    points: number;
    intervalMs: number;
  }) {
    fleet = startVirtualFleet({ ...a, prefix: "fleet", log: pino({ level: "silent" }) });
    const was = new Map<string, boolean>();
    watch = setInterval(() => {
      for (const g of running().gateways) {
        const now = g.uplink.status().connected;
        if (now && was.get(g.gateway) === false) connects.push(wallNow());
        was.set(g.gateway, now);
      }
    }, 100);
    return a.count;
  },
  totals: () => running().totals(),
  committed: () =>
    running()
      .stats()
      .map((s) => [s.gateway, s.committed] as const),
  /** Reconnect times since the last call. */
  takeConnects() {
    const out = connects;
    connects = [];
    return out;
  },
  pause: () => running().pause(),
  /** The event loop's delay since the last call, in ms: p99 and max. */
  takeLag() {
    const out = { p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 };
    lag.reset();
    return out;
  },
  async stop() {
    clearInterval(watch);
    await fleet?.stop();
    fleet = undefined;
  },
});
