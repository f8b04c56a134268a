import { scrapeGaugeFactory } from "@tidegate/http-kit";
import { type Gauge, Registry } from "prom-client";
import type { IngestStats } from "../consumer/consumer.js";
import type { WriteStatus } from "../store/backend.js";
import type { SqliteStore } from "../store/sqlite-store.js";
import { completeness } from "./completeness.js";

/** Prometheus metrics read at scrape time from the ingest counters and the gateway table. */
export function createCollectorMetrics(
  store: SqliteStore,
  ingestStats: () => IngestStats | undefined,
  writeStatus?: () => WriteStatus,
): Registry {
  const registry = new Registry();
  const gauge = scrapeGaugeFactory(registry);
  const ingest = (pick: (s: IngestStats) => number) => (g: Gauge) => {
    const s = ingestStats();
    if (s) g.set(pick(s));
  };
  gauge(
    "tidegate_consumer_pending_messages",
    "Telemetry messages the collectors have not acknowledged yet (consumer lag), read every 10 s",
    [],
    (g) => {
      const s = ingestStats();
      if (s?.pending !== undefined) g.set(s.pending);
    },
  );
  gauge(
    "tidegate_ingest_batches",
    "Batches stored since start",
    [],
    ingest((s) => s.batches),
  );
  gauge(
    "tidegate_ingest_readings",
    "Readings stored since start",
    [],
    ingest((s) => s.readings),
  );
  gauge(
    "tidegate_ingest_duplicates",
    "Readings received again and ignored (redelivery, retries)",
    [],
    ingest((s) => s.duplicates),
  );
  gauge(
    "tidegate_ingest_store_errors",
    "Batches the store could not commit (redelivered later)",
    [],
    ingest((s) => s.storeErrors),
  );
  if (writeStatus) {
    const write = (pick: (s: WriteStatus) => number) => (g: Gauge) => g.set(pick(writeStatus()));
    gauge(
      "tidegate_influx_write_failures",
      "InfluxDB writes that failed after retries (their batches are redelivered)",
      [],
      write((s) => s.failedWrites),
    );
    gauge(
      "tidegate_influx_write_retries",
      "InfluxDB write requests retried",
      [],
      write((s) => s.retries),
    );
    gauge(
      "tidegate_influx_points_written",
      "Points InfluxDB took",
      [],
      write((s) => s.writtenPoints),
    );
    gauge(
      "tidegate_influx_points_past_retention",
      "Points InfluxDB dropped as older than its retention policy",
      [],
      write((s) => s.droppedPastRetention),
    );
  }
  gauge("tidegate_ingest_rejected", "Batches that could not be read, by reason", ["reason"], (g) => {
    for (const [reason, n] of Object.entries(ingestStats()?.rejected ?? {})) g.set({ reason }, n);
  });
  gauge(
    "tidegate_gateway_missing_readings",
    "Seqs below the highest stored one neither stored nor dropped",
    ["gateway"],
    (g) => {
      for (const gw of store.gateways()) g.set({ gateway: gw.id }, completeness(gw).missing);
    },
  );
  gauge(
    "tidegate_gateway_backlog_readings",
    "Backlog reported by the gateway's last heartbeat",
    ["gateway"],
    (g) => {
      for (const gw of store.gateways()) if (gw.heartbeat) g.set({ gateway: gw.id }, gw.heartbeat.backlog);
    },
  );
  gauge(
    "tidegate_gateway_last_seen_seconds",
    "Unix time of the last heartbeat or batch",
    ["gateway"],
    (g) => {
      for (const gw of store.gateways())
        if (gw.lastSeen !== null) g.set({ gateway: gw.id }, gw.lastSeen / 1000);
    },
  );
  return registry;
}
