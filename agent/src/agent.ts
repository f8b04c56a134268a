import { dirname, resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { openAuthStore, provisionAccounts, rateLimitsFromSetting, resolveBranding } from "@tidegate/http-kit";
import type { Logger } from "pino";
import { openBuffer } from "./buffer/buffer.js";
import { createPreview } from "./commission/add/preview.js";
import { lifecycleProfileStore } from "./commission/profile/profile-store.js";
import { createScanner } from "./commission/scan/scanner.js";
import { ConfigError, type LoadedConfig } from "./config/load.js";
import { createHistory } from "./history/history.js";
import { agentStatus, createAgentApp } from "./http/app.js";
import { createEventMetrics } from "./http/event-metrics.js";
import { createLatest } from "./latest.js";
import type { LogRing } from "./log-ring.js";
import { startAlertNotifications } from "./notify/index.js";
import { createProbeService } from "./probe/probe-service.js";
import { secretsDirOf } from "./remote/device-secrets.js";
import { createRemote } from "./remote/index.js";
import { maskSecrets } from "./remote/mask.js";
import { openAlertsStore } from "./rules/alerts-store.js";
import { type AlertEvent, createRuleEngine } from "./rules/engine.js";
import { createSourcesLifecycle } from "./sources/lifecycle.js";
import {
  listCertificates,
  pkiDir,
  stateDirOf,
  trustCertificate,
  untrustCertificate,
} from "./sources/opcua/pki.js";
import type { SparkplugNorth } from "./sparkplug/north/edge-node.js";
import { createUpgrader } from "./upgrade/upgrader.js";
import { startAlertsUplink } from "./uplink/alerts-uplink.js";
import { startCatalogPublisher } from "./uplink/catalog.js";
import { startHeartbeat } from "./uplink/heartbeat.js";
import { agentNatsSecurity } from "./uplink/nats-security.js";
import { createUplink } from "./uplink/uplink.js";
import { VERSION } from "./version.js";

export interface AgentOptions {
  staticDir?: string;
  /** Recent log lines, for the remote logs.tail command. */
  logRing?: LogRing;
  /** The remote config version `loaded` is (0 or unset: the config file itself). */
  configVersion?: number;
  /**
   * Wire version 1 plays an agent from before buffer epochs (no epoch in batches or heartbeats):
   * the compatibility tests start one through test/helpers/bin/. Unset: the current version.
   */
  wireVersion?: 1;
  /** SQLite max_page_count on the buffer file: tests make a small "full disk" with it. */
  bufferMaxPageCount?: number;
  /** Stops the service and exits so systemd starts the switched version (serve.ts sets it). */
  restart?: () => void;
}

/** Wires sources → buffer → uplink and the HTTP view; knows nothing about sockets it does not own. */
export function createAgent(loaded: LoadedConfig, log: Logger, options: AgentOptions = {}) {
  const { config } = loaded;
  const startedAt = Date.now();
  const buffer = openBuffer({
    path: config.buffer.path,
    commitIntervalMs: config.buffer.commitIntervalMs,
    synchronous: config.buffer.synchronous,
    maxBytes: config.buffer.maxSize,
    maxAgeMs: config.buffer.maxAgeHours * 3600_000,
    whenFull: config.buffer.whenFull,
    maxPageCount: options.bufferMaxPageCount,
  });
  const latest = createLatest();
  const history = createHistory();

  const events = createEventMetrics(config.gateway);
  const alerts = openAlertsStore(config.alerts.path ?? ":memory:");
  const rules = createRuleEngine(config.rules, Date.now());
  const notifier = startAlertNotifications({
    gateway: config.gateway,
    targets: config.alerts.notify,
    store: alerts,
    publish: (...args) => sources.mqttPublish(...args),
    log,
  });
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
  let catalog: ReturnType<typeof startCatalogPublisher> | undefined;
  let north: SparkplugNorth | undefined;
  // The edge node and its protobuf codec load only when a config turns Sparkplug on (decision 54).
  const startNorth = async (spb: typeof config.sparkplug) =>
    spb
      ? (await import("./sparkplug/north/edge-node.js")).startSparkplugNorth({
          config: spb,
          gateway: config.gateway,
          devices: sources.devices,
          log: log.child({ north: "sparkplug" }),
          // The remote write path, not a second one: same checks, same log line.
          write: (args) => Promise.resolve(remote.handlers.write(args, "sparkplug DCMD")),
        })
      : undefined;
  // Remote config changes replace the sources only; the buffer, uplink and alerts stay open.
  const sources = createSourcesLifecycle(
    loaded,
    (readings) => {
      latest.update(readings);
      history.record(readings);
      buffer.append(readings);
      north?.onReadings(readings);
      onAlerts(rules.onReadings(readings));
    },
    log,
    {
      observeRead: events.observeRead,
      stateDir: stateDirOf(config.buffer.path),
      // A config change may turn the Sparkplug edge node on, off or to another broker: it is
      // started again (a new bdSeq and births) only when its section changed.
      onReplace: async (next, previous) => {
        if (isDeepStrictEqual(next.config.sparkplug, previous.config.sparkplug)) return;
        const old = north;
        north = undefined;
        await old?.stop();
        north = await startNorth(next.config.sparkplug);
      },
    },
  );

  const olderWire = options.wireVersion === 1;
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
  const view = {
    gateway: config.gateway,
    version: VERSION,
    startedAt,
    devices: sources.devices,
    inputDrops: sources.drops,
    alerts: () => ({ active: alerts.active(), recent: alerts.recent(20) }),
    notifications: notifier.status,
    acknowledgeAlert: (rule: string, device: string, by: string) => {
      const done = alerts.acknowledge(rule, device, by);
      if (done) void alertsUplink?.sendNow();
      return done;
    },
    latest: latest.all,
    buffer: buffer.stats,
    uplink: uplink.status,
    sparkplug: () => north?.status(),
  };
  const upgrader = createUpgrader({
    config: config.upgrade,
    configFile: loaded.file,
    stateDir: stateDirOf(config.buffer.path),
    programFile: process.argv[1] ?? "",
    runningVersion: VERSION,
    connection: () => uplink.connection(),
    healthy: () => uplink.status().connected && health().every((h) => h.status !== "failing"),
    restart: () => {
      if (options.restart) options.restart();
      else log.warn("switched to the new version; restart the agent to run it");
    },
    log,
  });
  const remote = createRemote({
    upgrade: upgrader.start,
    gateway: config.gateway,
    lifecycle: sources,
    file: loaded.file,
    version: options.configVersion ?? 0,
    status: () => agentStatus(view),
    logRing: options.logRing,
    acknowledgeAlert: view.acknowledgeAlert,
    log,
  });
  const authStore = openAuthStore(config.http.auth.path ?? ":memory:");
  const scanner = createScanner(sources, log);
  const branding = resolveBranding(config.branding, {
    file: loaded.file,
    path: "branding",
    fail: (m) => new ConfigError(m),
  });
  // The commissioning browser's client, loaded on its first use (decision 28); its cached sessions
  // close at shutdown and after a trust change.
  let endpoint: Promise<typeof import("./sources/opcua/endpoint.js")> | undefined;
  const endpointModule = () => {
    endpoint ??= import("./sources/opcua/endpoint.js");
    return endpoint;
  };
  const closeEndpointSessions = async () => {
    if (endpoint) await (await endpoint).closeEndpointSessions();
  };
  // The page names user certificates only in the config folder (secrets.d/ among it) and the PKI folder.
  const userCertRoots = [dirname(resolve(loaded.file)), pkiDir(stateDirOf(config.buffer.path))];
  const app = createAgentApp(view, {
    branding,
    auth: { store: authStore, anonymousRole: config.http.auth.anonymous === "viewer" ? "viewer" : undefined },
    staticDir: options.staticDir,
    eventMetrics: events.registry,
    logger: log,
    processMetrics: true,
    rateLimit: rateLimitsFromSetting(config.http.rateLimit),
    local: {
      history,
      probe: createProbeService(sources, log),
      scan: scanner,
      preview: createPreview(sources, log, {
        readOpcua: async (target, profile, o) =>
          (await endpointModule()).readEndpointPoints(target, profile, {
            ...o,
            stateDir: stateDirOf(config.buffer.path),
          }),
      }),
      addDevice: (device, meta) => remote.changes.addDevice(device, meta),
      userCertRoots,
      profiles: lifecycleProfileStore(sources, loaded.file),
      devicesCsv: {
        context: () => ({
          devices: sources.loaded().config.devices,
          profiles: sources.loaded().library.all(),
        }),
        add: (devices, meta) => remote.changes.addDevices(devices, meta),
      },
      runningConfig: () => maskSecrets(sources.loaded().config),
      opcuaBrowse: (device, node) => sources.opcuaBrowse(device, node),
      // node-opcua is loaded on the first browse, as for a source (decision 28).
      opcuaEndpoint: {
        browse: async (target, node) =>
          (await endpointModule()).browseEndpoint(target, node, {
            stateDir: stateDirOf(config.buffer.path),
          }),
        secretsDir: secretsDirOf(loaded.file),
        certRoots: userCertRoots,
      },
      opcuaCerts: {
        list: () => listCertificates(stateDirOf(config.buffer.path)),
        trust: (fingerprint) =>
          trustCertificate(stateDirOf(config.buffer.path), fingerprint).finally(closeEndpointSessions),
        untrust: (fingerprint) =>
          untrustCertificate(stateDirOf(config.buffer.path), fingerprint).finally(closeEndpointSessions),
      },
    },
  });
  uplink.onConnection(remote.attach);

  let stopHeartbeat: (() => void) | undefined;
  return {
    app,
    /** Accounts from the environment (first admin, an API token file); says what it did. */
    provision: (env: NodeJS.ProcessEnv) =>
      provisionAccounts(
        authStore,
        env,
        log,
        "Run `tidegate-agent init --config <file>` or `tidegate-agent user add <name> --role admin --config <file>`",
      ),
    async start() {
      rulesTimer = setInterval(() => onAlerts(rules.tick(Date.now())), 1000);
      alertsUplink = startAlertsUplink({ gateway: config.gateway, store: alerts, uplink, log });
      catalog = startCatalogPublisher({ gateway: config.gateway, devices: sources.devices, uplink, log });
      // Before the sources, so the first readings are in the first births.
      north = await startNorth(config.sparkplug);
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
        upgrade: upgrader.status,
        intervalMs: config.nats.heartbeatIntervalMs,
        ...(olderWire ? { epoch: 0 } : {}),
      });
    },
    async stop() {
      remote.stop();
      notifier.stop();
      stopHeartbeat?.();
      alertsUplink?.stop();
      catalog?.stop();
      // A scan holding a line gives it back before the lines close.
      scanner.stop();
      await closeEndpointSessions();
      await scanner.settled();
      await sources.stop();
      await north?.stop();
      buffer.flush();
      await uplink.stop();
      buffer.close();
      clearInterval(rulesTimer);
      alerts.close();
      authStore.close();
    },
  };
}
