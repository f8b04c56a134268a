import type { Logger } from "pino";
import { openBuffer } from "./buffer/buffer.js";
import type { LoadedConfig } from "./config/load.js";
import { createAgentApp } from "./http/app.js";
import { createEventMetrics } from "./http/event-metrics.js";
import { createLatest } from "./latest.js";
import { openAlertsStore } from "./rules/alerts-store.js";
import { type AlertEvent, createRuleEngine } from "./rules/engine.js";
import { createSources } from "./sources/index.js";
import { startAlertsUplink } from "./uplink/alerts-uplink.js";
import { startHeartbeat } from "./uplink/heartbeat.js";
import { agentNatsSecurity } from "./uplink/nats-security.js";
import { createUplink } from "./uplink/uplink.js";
import { VERSION } from "./version.js";

/** Wires sources → buffer → uplink and the HTTP view; knows nothing about sockets it does not own. */
export function createAgent(loaded: LoadedConfig, log: Logger, options: { staticDir?: string } = {}) {
  const { config, profiles } = loaded;
  const startedAt = Date.now();
  const buffer = openBuffer({
    path: config.buffer.path,
    commitIntervalMs: config.buffer.commitIntervalMs,
    synchronous: config.buffer.synchronous,
    maxBytes: config.buffer.maxSize,
    maxAgeMs: config.buffer.maxAgeHours * 3600_000,
    whenFull: config.buffer.whenFull,
    maxPageCount: config.buffer.maxPageCount,
  });
  const latest = createLatest();

  const events = createEventMetrics(config.gateway);
  const alerts = openAlertsStore(config.alerts.path ?? ":memory:");
  const rules = createRuleEngine(config.rules, Date.now());
  const onAlerts = (changes: AlertEvent[]) => {
    if (changes.length === 0) return;
    alerts.record(changes);
    void alertsUplink?.sendNow();
    for (const e of changes)
      log[e.state === "raised" ? "warn" : "info"](
        { alert: { rule: e.rule, device: e.device, severity: e.severity, state: e.state } },
        `alert ${e.state}: ${e.rule} on ${e.device}: ${e.message}`,
      );
  };
  let rulesTimer: NodeJS.Timeout | undefined;
  let alertsUplink: ReturnType<typeof startAlertsUplink> | undefined;
  const sources = createSources(
    config,
    profiles,
    (readings) => {
      latest.update(readings);
      buffer.append(readings);
      onAlerts(rules.onReadings(readings));
    },
    log,
    { observeRead: events.observeRead },
  );

  // Plays an agent from before buffer epochs (wire version 1) in the compatibility tests; unset in real use.
  const olderWire = process.env.TIDEGATE_TEST_WIRE_VERSION === "1";
  const uplink = createUplink({
    gateway: config.gateway,
    servers: config.nats.servers,
    security: agentNatsSecurity(config.nats),
    buffer,
    batchSize: config.uplink.batchSize,
    lingerMs: config.uplink.lingerMs,
    maxInFlight: config.uplink.maxInFlight,
    backfillRatePerS: config.uplink.backfillRatePerS,
    ...(olderWire ? { wireVersion: 1 as const } : {}),
    log,
  });

  const health = () => sources.devices().map((d) => d.health);
  const app = createAgentApp(
    {
      gateway: config.gateway,
      version: VERSION,
      startedAt,
      devices: sources.devices,
      inputDrops: sources.drops,
      alerts: () => ({ active: alerts.active(), recent: alerts.recent(20) }),
      latest: latest.all,
      buffer: buffer.stats,
      uplink: uplink.status,
    },
    { ...options, eventMetrics: events.registry },
  );

  let stopHeartbeat: (() => void) | undefined;
  return {
    app,
    async start() {
      rulesTimer = setInterval(() => onAlerts(rules.tick(Date.now())), 1000);
      alertsUplink = startAlertsUplink({ gateway: config.gateway, store: alerts, uplink, log });
      await sources.start();
      uplink.start();
      stopHeartbeat = startHeartbeat({
        gateway: config.gateway,
        version: VERSION,
        startedAt,
        buffer,
        uplink,
        sources: health,
        alerts: alerts.active,
        intervalMs: config.nats.heartbeatIntervalMs,
        ...(olderWire ? { epoch: 0 } : {}),
      });
    },
    async stop() {
      stopHeartbeat?.();
      alertsUplink?.stop();
      await sources.stop();
      buffer.flush();
      await uplink.stop();
      buffer.close();
      clearInterval(rulesTimer);
      alerts.close();
    },
  };
}
