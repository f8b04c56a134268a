import { collectDefaultMetrics, Registry } from "prom-client";

let shared: Registry | undefined;

/**
 * The process's own health in Prometheus's usual names (nodejs_eventloop_lag_*, nodejs_gc_*,
 * nodejs_heap_*, process_cpu_*, process_resident_memory_bytes): why an API answered slowly is
 * often a blocked event loop or a GC storm, and operators' dashboards already read these.
 * One registry per process: the event-loop monitor and the GC observer are process-wide, and a
 * test that builds many apps must not start one of each per app.
 */
export function processMetrics(): Registry {
  if (!shared) {
    shared = new Registry();
    // 10 ms resolution: the lag that matters to an API is tens of milliseconds, and a finer
    // monitor costs the agent CPU on a small board.
    collectDefaultMetrics({ register: shared, eventLoopMonitoringPrecision: 10 });
  }
  return shared;
}
