import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FleetTotals } from "../../agent/src/fleet/virtual-fleet.js";
import { track } from "./cleanup.js";
import { startWorker, type Worker } from "./worker.js";

export interface FleetWorkersOptions {
  servers: string[];
  count: number;
  points: number;
  intervalMs: number;
  /** Processes the gateways are spread over (each one Node thread). */
  workers?: number;
}

/**
 * A virtual fleet spread over a few worker processes, so one event loop never holds a thousand
 * gateways' polls, commits and publishes. Gateway ids run fleet-0001... across the workers.
 */
export async function startFleetWorkers(o: FleetWorkersOptions) {
  const dir = mkdtempSync(join(tmpdir(), "tidegate-bench-fleet-"));
  const untrackDir = track(() => rmSync(dir, { recursive: true, force: true }));
  // Four event loops, not one per core: a buffer checkpoint's fsync stalls one loop, and the
  // redials that came due meanwhile go out together; a quarter of the fleet bunches, not half.
  const n = o.workers ?? 4;
  const workers: Worker[] = [];
  let first = 1;
  for (let i = 0; i < n; i++) {
    const count = Math.floor(o.count / n) + (i < o.count % n ? 1 : 0);
    // The fleet is the load, not what is measured: it yields the cores to the collector and NATS.
    const w = await startWorker(new URL("../workers/fleet-gateways.ts", import.meta.url), `fleet-${i + 1}`, {
      nice: 10,
    });
    workers.push(w);
    await w.call("start", {
      servers: o.servers,
      dir,
      count,
      firstIndex: first,
      points: o.points,
      intervalMs: o.intervalMs,
    });
    first += count;
  }
  const all = <T>(cmd: string) => Promise.all(workers.map((w) => w.call<T>(cmd, undefined, 300_000)));
  return {
    pids: workers.map((w) => w.pid),
    async totals(): Promise<FleetTotals> {
      const parts = await all<FleetTotals>("totals");
      const sum = (k: keyof FleetTotals) => parts.reduce((s, p) => s + p[k], 0);
      return {
        gateways: sum("gateways"),
        connected: sum("connected"),
        committed: sum("committed"),
        acked: sum("acked"),
        backlog: sum("backlog"),
        drained: sum("drained"),
      };
    },
    async committed(): Promise<Map<string, number>> {
      return new Map((await all<[string, number][]>("committed")).flat());
    },
    /** Reconnect times (ms since the epoch, worker clocks) since the last call, sorted. */
    async takeConnects(): Promise<number[]> {
      return (await all<number[]>("takeConnects")).flat().sort((a, b) => a - b);
    },
    pause: () => all("pause"),
    /** The workers' worst event-loop delay since the last call, in ms (p99 and max over the workers). */
    async takeLag(): Promise<{ p99: number; max: number }> {
      const parts = await all<{ p99: number; max: number }>("takeLag");
      return { p99: Math.max(...parts.map((p) => p.p99)), max: Math.max(...parts.map((p) => p.max)) };
    },
    async dispose() {
      await Promise.all(workers.map((w) => w.call("stop", undefined, 120_000).catch(() => {})));
      await Promise.all(workers.map((w) => w.dispose()));
      rmSync(dir, { recursive: true, force: true });
      untrackDir();
    },
  };
}

export type FleetWorkers = Awaited<ReturnType<typeof startFleetWorkers>>;
