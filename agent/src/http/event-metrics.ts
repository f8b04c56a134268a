import { Histogram, Registry } from "prom-client";

/**
 * Metrics of things that happen (a device read, an HTTP request), observed as they happen; the
 * gauges in metrics.ts are read from the status view at scrape time. /metrics serves both.
 */
export function createEventMetrics(gateway: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ gateway });
  const poll = new Histogram({
    name: "tidegate_device_read_seconds",
    help: "Duration of device reads (one Modbus block, retries included), by device and outcome",
    labelNames: ["device", "outcome"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  // Each device's two children, bound once: a labels object per read was an allocation per block.
  const children = new Map<
    string,
    { ok: Histogram.Internal<"device" | "outcome">; failed: Histogram.Internal<"device" | "outcome"> }
  >();
  const bound = (device: string) => {
    let c = children.get(device);
    if (!c) {
      c = { ok: poll.labels(device, "ok"), failed: poll.labels(device, "failed") };
      children.set(device, c);
    }
    return c;
  };
  return {
    registry,
    observeRead: (device: string, seconds: number, ok: boolean) => {
      const c = bound(device);
      (ok ? c.ok : c.failed).observe(seconds);
    },
  };
}
export type EventMetrics = ReturnType<typeof createEventMetrics>;
