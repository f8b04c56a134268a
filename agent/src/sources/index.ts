import type { AnyProfile, Profile } from "@tidegate/profiles";
import type { Reading, SourceHealth } from "@tidegate/protocol";
import type { Logger } from "pino";
import type { AgentConfig, DeviceConfig } from "../config/schema.js";
import { createSerialLineSource } from "./line/source.js";
import { busKey, createBus, type ModbusBus } from "./modbus/bus.js";
import { createDevicePoller } from "./modbus/device-poller.js";
import { createMqttSource, type MqttSource } from "./mqtt/source.js";
import { createLazyOpcuaSource } from "./opcua/index.js";
import { createLazySparkplugSource } from "./sparkplug/lazy.js";

export interface DeviceView {
  id: string;
  profile: AnyProfile;
  health: SourceHealth & { lastPollTs?: number };
}

/** Lines or messages an input dropped, by reason: never stored as values, always counted. */
export type InputDrops = Record<string, Record<string, number>>;

interface Source {
  start(): void | Promise<void>;
  stop(): Promise<void>;
  devices(): DeviceView[];
  drops?(): InputDrops;
  /** A Modbus device's line, for remote writes (serialized with its polls by the bus). */
  modbus?: ModbusTarget;
  publish?: MqttSource["publish"];
  /** An OPC UA device's address space, for the technician's browse. */
  opcuaBrowse?: (node?: string) => Promise<unknown>;
}

export interface ModbusTarget {
  device: DeviceConfig;
  profile: Profile;
  bus: ModbusBus;
}

/**
 * Every configured device as a running source: Modbus devices on shared buses (one connection and
 * one request at a time per serial port or TCP endpoint), line-printing serial devices on their
 * own ports, OPC UA servers each on its own connection, and MQTT devices behind one broker connection (or the embedded broker). parseConfig has checked that each device's profile exists and fits its transport.
 */
export function createSources(
  config: Pick<AgentConfig, "devices" | "mqtt" | "sparkplugSources">,
  profiles: Map<string, AnyProfile>,
  emit: (readings: Reading[]) => void,
  log: Logger,
  options: {
    observeRead?: (device: string, seconds: number, ok: boolean) => void;
    /** Where sources keep state of their own (the OPC UA trust store); default the working folder. */
    stateDir?: string;
  } = {},
) {
  const buses = new Map<string, ModbusBus>();
  const sources: Source[] = config.devices.map((device): Source => {
    const profile = profiles.get(device.profile);
    const transport = device.transport;
    if (transport.type === "serial") {
      if (profile?.kind !== "serial-line")
        throw new Error(`device ${device.id}: no serial-line profile ${device.profile}`);
      const s = createSerialLineSource({ device: { ...device, transport }, profile, emit, log });
      return {
        start: s.start,
        stop: s.stop,
        devices: () => [{ id: s.id, profile, health: s.health() }],
        drops: () => ({ [s.id]: s.stats().dropped }),
      };
    }
    if (transport.type === "opcua") {
      if (profile?.kind !== "opcua")
        throw new Error(`device ${device.id}: no OPC UA profile ${device.profile}`);
      const s = createLazyOpcuaSource({
        device,
        transport,
        profile,
        stateDir: options.stateDir ?? process.cwd(),
        emit,
        log,
        observeRead: options.observeRead,
      });
      return {
        start: s.start,
        stop: s.stop,
        devices: () => [{ id: s.id, profile, health: s.health() }],
        drops: () => ({ [s.id]: s.dropped() }),
        opcuaBrowse: s.browse,
      };
    }
    if (profile?.kind !== "modbus")
      throw new Error(`device ${device.id}: no Modbus profile ${device.profile}`);
    const key = busKey(transport);
    const bus = buses.get(key) ?? createBus(transport, log);
    buses.set(key, bus);
    const p = createDevicePoller({
      device: { ...device, transport },
      profile,
      bus,
      log,
      emit,
      observeRead: options.observeRead,
    });
    return {
      start: p.start,
      stop: p.stop,
      devices: () => [{ id: p.id, profile, health: p.health() }],
      modbus: { device, profile, bus },
    };
  });

  if (config.mqtt) {
    const mqtt = createMqttSource({ config: config.mqtt, profiles, emit, log });
    sources.push({
      start: mqtt.start,
      stop: mqtt.stop,
      devices: mqtt.devices,
      drops: () => ({ mqtt: mqtt.stats().dropped }),
      publish: mqtt.publish,
    });
  }

  (config.sparkplugSources ?? []).forEach((c, i) => {
    const s = createLazySparkplugSource({ config: c, where: `sparkplugSources.${i}`, emit, log });
    sources.push({
      start: s.start,
      stop: s.stop,
      devices: s.devices,
      drops: () => ({ [`sparkplug:${c.groupId}`]: s.dropped() }),
    });
  });

  return {
    devices: (): DeviceView[] => sources.flatMap((s) => s.devices()),
    drops: (): InputDrops => Object.assign({}, ...sources.map((s) => s.drops?.() ?? {})),
    /** Resolves once every source has started; an MQTT broker that cannot listen (port taken) fails here. */
    async start() {
      await Promise.all(sources.map((s) => s.start()));
    },
    async stop() {
      await Promise.all(sources.map((s) => s.stop()));
      await Promise.all([...buses.values()].map((b) => b.close()));
    },
    /** Publishes through the MQTT source's broker; rejects when the config has no MQTT. */
    mqttPublish(...args: Parameters<MqttSource["publish"]>): Promise<void> {
      const mqtt = sources.find((s) => s.publish);
      if (!mqtt?.publish) return Promise.reject(new Error("no MQTT broker configured (mqtt.broker)"));
      return mqtt.publish(...args);
    },
    /** Undefined when no OPC UA device has that id. */
    opcuaBrowse(deviceId: string, node?: string): Promise<unknown> | undefined {
      const s = sources.find((x) => x.opcuaBrowse && x.devices().some((d) => d.id === deviceId));
      return s?.opcuaBrowse?.(node);
    },
    modbusTarget: (deviceId: string): ModbusTarget | undefined =>
      sources.find((s) => s.modbus?.device.id === deviceId)?.modbus,
    /**
     * Stops and starts the source that reads `deviceId` (for MQTT: the broker connection of all
     * its devices); a Modbus device's line is closed in between so it is opened afresh. False
     * when no source has that device.
     */
    async restart(deviceId: string): Promise<boolean> {
      const source = sources.find((s) => s.devices().some((d) => d.id === deviceId));
      if (!source) return false;
      await source.stop();
      await source.modbus?.bus.close();
      await source.start();
      return true;
    },
  };
}
