import { scrapeGaugeFactory } from "@tidegate/http-kit";
import { Counter, Registry } from "prom-client";
import type { AgentView } from "./app.js";

/**
 * Prometheus metrics, read from the same view as the status API at scrape time, so the two never
 * disagree. Counters that only grow (seq, drops) are exposed as gauges of their current totals.
 */
export function createAgentMetrics(view: AgentView): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ gateway: view.gateway });
  const gauge = scrapeGaugeFactory(registry);

  gauge(
    "tidegate_buffer_backlog_readings",
    "Readings committed or queued but not yet acknowledged",
    [],
    (g) => g.set(view.buffer().backlog + view.buffer().pending),
  );
  gauge(
    "tidegate_buffer_oldest_unsent_age_seconds",
    "Age of the oldest unsent reading (0 when none)",
    [],
    (g) => {
      const ts = view.buffer().oldestUnsentTs;
      g.set(ts === null ? 0 : Math.max(0, (Date.now() - ts) / 1000));
    },
  );
  gauge("tidegate_buffer_bytes", "Bytes in use in the buffer file", [], (g) => g.set(view.buffer().bytes));
  gauge("tidegate_seq_committed", "Highest seq committed to the buffer", [], (g) =>
    g.set(view.buffer().lastSeq),
  );
  gauge("tidegate_seq_acked", "Every seq up to this one is acknowledged or dropped", [], (g) =>
    g.set(view.buffer().lastAckedSeq),
  );
  gauge(
    "tidegate_dropped_readings",
    "Readings dropped, by reason (total since the buffer was created)",
    ["reason"],
    (g) => {
      for (const [reason, n] of Object.entries(view.buffer().dropped)) g.set({ reason }, n);
    },
  );
  gauge("tidegate_alarm", "1 while an alarm is active", ["code"], (g) => {
    for (const a of view.buffer().alarms) g.set({ code: a.code }, 1);
  });
  gauge("tidegate_uplink_connected", "1 when connected to NATS", [], (g) =>
    g.set(view.uplink().connected ? 1 : 0),
  );
  gauge("tidegate_uplink_backfilling", "1 while an outage backlog drains behind the live lane", [], (g) =>
    g.set(view.uplink().backfilling ? 1 : 0),
  );
  gauge("tidegate_device_success_ratio", "Share of recent reads that succeeded", ["device"], (g) => {
    for (const d of view.devices()) g.set({ device: d.id }, d.health.successRate);
  });
  gauge("tidegate_device_last_latency_seconds", "Latency of the last read", ["device"], (g) => {
    for (const d of view.devices())
      if (d.health.lastLatencyMs !== undefined) g.set({ device: d.id }, d.health.lastLatencyMs / 1000);
  });
  gauge(
    "tidegate_alert_active",
    "1 while an edge rule's alert is raised, by rule, device and severity",
    ["rule", "device", "severity"],
    (g) => {
      for (const a of view.alerts?.().active ?? [])
        g.set({ rule: a.rule, device: a.device, severity: a.severity }, 1);
    },
  );
  new Counter({
    name: "tidegate_alert_notifications_total",
    help: "Alert notifications by target and outcome (delivered, retried, failed, dropped from a full queue)",
    labelNames: ["target", "outcome"],
    registers: [registry],
    collect() {
      this.reset();
      for (const t of view.notifications?.() ?? [])
        for (const [outcome, n] of Object.entries(t.counts)) this.inc({ target: t.name, outcome }, n);
    },
  });
  gauge(
    "tidegate_input_dropped",
    "Lines or messages a serial or MQTT input dropped as unreadable, by input and reason (never stored as values)",
    ["input", "reason"],
    (g) => {
      for (const [input, reasons] of Object.entries(view.inputDrops?.() ?? {}))
        for (const [reason, n] of Object.entries(reasons)) g.set({ input, reason }, n);
    },
  );
  gauge(
    "tidegate_sparkplug_connected",
    "1 when the Sparkplug B edge node is connected to its broker",
    [],
    (g) => {
      const s = view.sparkplug?.();
      if (s) g.set(s.connected ? 1 : 0);
    },
  );
  gauge(
    "tidegate_sparkplug_published",
    "Sparkplug B messages and payload bytes published (totals since start), by unit",
    ["unit"],
    (g) => {
      const s = view.sparkplug?.();
      if (!s) return;
      g.set({ unit: "messages" }, s.messages);
      g.set({ unit: "bytes" }, s.bytes);
    },
  );
  gauge(
    "tidegate_sparkplug_history_readings",
    "Readings held for historical DDATA while the broker is away (queued), or dropped from a full hold",
    ["state"],
    (g) => {
      const s = view.sparkplug?.();
      if (!s) return;
      g.set({ state: "queued" }, s.historyQueued);
      g.set({ state: "dropped" }, s.historyDropped);
    },
  );
  gauge("tidegate_sparkplug_dcmd_writes", "DCMD writes by outcome (totals since start)", ["outcome"], (g) => {
    const s = view.sparkplug?.();
    if (!s) return;
    g.set({ outcome: "written" }, s.writes);
    g.set({ outcome: "refused" }, s.writesRefused);
  });
  return registry;
}
