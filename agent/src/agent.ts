import type { Logger } from "pino";
import { openBuffer } from "./buffer/buffer.js";
import type { LoadedConfig } from "./config/load.js";
import type { DeviceConfig } from "./config/schema.js";
import { createAgentApp } from "./http/app.js";
import { createLatest } from "./latest.js";
import { busKey, createBus, type ModbusBus } from "./sources/modbus/bus.js";
import { createDevicePoller } from "./sources/modbus/device-poller.js";
import { startHeartbeat } from "./uplink/heartbeat.js";
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

  // Devices on the same serial port or TCP endpoint share one bus: one connection, one request at a time.
  const buses = new Map<string, ModbusBus>();
  const busFor = (device: DeviceConfig) => {
    const key = busKey(device.transport);
    const bus = buses.get(key) ?? createBus(device.transport, log);
    buses.set(key, bus);
    return bus;
  };
  const pollers = config.devices.map((device) => {
    const profile = profiles.get(device.profile);
    // parseConfig checked both
    if (profile?.kind !== "modbus")
      throw new Error(`device ${device.id}: no Modbus profile ${device.profile}`);
    return createDevicePoller({
      device,
      profile,
      bus: busFor(device),
      log,
      emit: (readings) => {
        latest.update(readings);
        buffer.append(readings);
      },
    });
  });

  // Plays an agent from before buffer epochs (wire version 1) in the compatibility tests; unset in real use.
  const olderWire = process.env.TIDEGATE_TEST_WIRE_VERSION === "1";
  const uplink = createUplink({
    gateway: config.gateway,
    servers: config.nats.servers,
    buffer,
    batchSize: config.uplink.batchSize,
    lingerMs: config.uplink.lingerMs,
    maxInFlight: config.uplink.maxInFlight,
    backfillRatePerS: config.uplink.backfillRatePerS,
    ...(olderWire ? { wireVersion: 1 as const } : {}),
    log,
  });

  const sources = () => pollers.map((p) => p.health());
  const app = createAgentApp(
    {
      gateway: config.gateway,
      version: VERSION,
      startedAt,
      devices: () => pollers.map((p) => ({ id: p.id, profile: p.profile, health: p.health() })),
      latest: latest.all,
      buffer: buffer.stats,
      uplink: uplink.status,
    },
    options,
  );

  let stopHeartbeat: (() => void) | undefined;
  return {
    app,
    start() {
      for (const p of pollers) p.start();
      uplink.start();
      stopHeartbeat = startHeartbeat({
        gateway: config.gateway,
        version: VERSION,
        startedAt,
        buffer,
        uplink,
        sources,
        intervalMs: config.nats.heartbeatIntervalMs,
        ...(olderWire ? { epoch: 0 } : {}),
      });
    },
    async stop() {
      stopHeartbeat?.();
      await Promise.all(pollers.map((p) => p.stop()));
      await Promise.all([...buses.values()].map((b) => b.close()));
      buffer.flush();
      await uplink.stop();
      buffer.close();
    },
  };
}
