import type { MqttPoint, MqttProfile } from "@tidegate/profiles";
import { deviceIdSchema, type Reading, type SourceHealth } from "@tidegate/protocol";
import type { Logger } from "pino";
import { createHealth, type DeviceHealth } from "../modbus/health.js";
import { type EmbeddedBroker, type RefusalKind, startEmbeddedBroker } from "./broker.js";
import { type MqttConfig, resolveBrokerTls, resolveExternal, resolveUsers } from "./config.js";
import { connectExternal, describeOutage, type ExternalConnection } from "./external.js";
import {
  type CompiledTopic,
  compileTopic,
  type DropReason,
  extractFrom,
  minimalFilters,
  readPayload,
} from "./topics.js";

/**
 * MQTT devices as a source of readings. Each configured device entry binds a profile's points to
 * topics; every message is matched against those bindings, the device id taken from the `{device}`
 * level (or fixed by config), and each point's value extracted.
 *
 * A malformed payload gives no reading at all: it is counted in stats().dropped by reason, logged at
 * most once a minute per device and reason, and recorded in the device's health (lastError). We do
 * not store quality=bad readings for it, because a device that publishes garbage on every message
 * would otherwise fill the buffer and the uplink with rows that carry no value.
 */

/** Drop reasons the source adds to the payload ones: a topic level unusable as an id, or the device cap. */
export type SourceDropReason = DropReason | "bad-device-id" | "too-many-devices";

export interface MqttSourceOptions {
  config: MqttConfig;
  /** All loaded profiles, or only the MQTT ones; others are ignored. */
  profiles: Map<string, { kind: string }>;
  emit: (readings: Reading[]) => void;
  log: Logger;
  /** Environment for `{ env }` secrets (tests). */
  env?: NodeJS.ProcessEnv;
}

export interface MqttDeviceView {
  id: string;
  profile: MqttProfile;
  health: SourceHealth & { lastPollTs?: number };
}

export interface MqttStats {
  messages: number;
  readings: number;
  dropped: Record<string, number>;
  /** The embedded broker's refusals: logins, publishes and subscribes outside an ACL, oversized packets. */
  refused: Record<RefusalKind, number>;
}

export interface MqttSource {
  start(): Promise<void>;
  stop(): Promise<void>;
  devices(): MqttDeviceView[];
  stats(): MqttStats;
  /** The embedded broker's bound port; undefined with an external broker. */
  broker(): { port: number } | undefined;
  /** Publishes on the embedded broker or the external connection (alert notifications). */
  publish(topic: string, payload: string, options: { qos: 0 | 1 | 2; retain: boolean }): Promise<void>;
}

interface Binding {
  profile: MqttProfile;
  point: MqttPoint;
  topic: CompiledTopic;
  fixedDevice?: string;
}

const LOG_EVERY_MS = 60_000;
/** A topic level longer than this is no device name but noise (it would become a NATS subject token). */
const MAX_DEVICE_ID = 128;

/** Builds the bindings up front, so a config naming an unknown profile fails at start, not silently. */
function bind(config: MqttConfig, profiles: MqttSourceOptions["profiles"]): Binding[] {
  const bindings: Binding[] = [];
  config.devices.forEach((d, i) => {
    const where = `mqtt.devices.${i}`;
    const profile = profiles.get(d.profile) as MqttProfile | undefined;
    if (profile?.kind !== "mqtt") {
      const known = [...profiles.values()].filter((p) => p.kind === "mqtt").map((p) => (p as MqttProfile).id);
      throw new Error(
        `${where}.profile: no MQTT profile '${d.profile}'` +
          (profile ? ` (it is a ${profile.kind} profile)` : "") +
          `; MQTT profiles: ${known.join(", ") || "none loaded"}`,
      );
    }
    for (const point of profile.points) {
      const hasLevel = point.topic.split("/").includes("{device}");
      if (!hasLevel && d.device === undefined)
        throw new Error(
          `${where}: profile ${profile.id} point ${point.id} has no {device} topic level; give a fixed device id`,
        );
      const options: { prefix: string; deviceLevel?: string } = { prefix: d.topicPrefix };
      if (d.device !== undefined) options.deviceLevel = d.topicDevice ?? d.device;
      const b: Binding = { profile, point, topic: compileTopic(point.topic, options) };
      if (d.device !== undefined) b.fixedDevice = d.device;
      bindings.push(b);
    }
  });
  return bindings;
}

export function createMqttSource(options: MqttSourceOptions): MqttSource {
  const { config, emit, log } = options;
  const bindings = bind(config, options.profiles);
  const devices = new Map<string, { profile: MqttProfile; health: DeviceHealth }>();
  const dropped: Record<string, number> = {};
  const refused: Record<RefusalKind, number> = { auth: 0, publish: 0, subscribe: 0, oversize: 0 };
  const lastLogged = new Map<string, number>();
  let messages = 0;
  let readings = 0;
  let embedded: EmbeddedBroker | undefined;
  let external: ExternalConnection | undefined;

  for (const b of bindings)
    if (b.fixedDevice !== undefined && !devices.has(b.fixedDevice))
      devices.set(b.fixedDevice, { profile: b.profile, health: createHealth(b.fixedDevice) });

  /** Logs a problem at most once a minute per key, so a chatty broken device cannot flood the log. */
  function warnLimited(key: string, fields: Record<string, unknown>, msg: string) {
    const now = Date.now();
    if ((lastLogged.get(key) ?? 0) + LOG_EVERY_MS > now) return;
    if (lastLogged.size > 10_000) lastLogged.clear();
    lastLogged.set(key, now);
    log.warn(fields, msg);
  }

  function drop(reason: SourceDropReason) {
    dropped[reason] = (dropped[reason] ?? 0) + 1;
  }

  function deviceFor(id: string, profile: MqttProfile) {
    let d = devices.get(id);
    if (!d) {
      if (devices.size >= config.maxDevices) return undefined;
      d = { profile, health: createHealth(id) };
      devices.set(id, d);
      log.info({ device: id, profile: profile.id }, "mqtt: new device");
    }
    return d;
  }

  function onMessage(topic: string, payload: Buffer) {
    const ts = Date.now();
    messages += 1;
    const matched: { binding: Binding; device: string }[] = [];
    let badId: string | undefined;
    for (const binding of bindings) {
      const m = binding.topic.match(topic);
      if (!m) continue;
      const device = binding.fixedDevice ?? m.device;
      if (device === undefined) continue;
      if (device.length > MAX_DEVICE_ID || !deviceIdSchema.safeParse(device).success) badId = device;
      else matched.push({ binding, device });
    }
    if (badId !== undefined) {
      drop("bad-device-id");
      warnLimited(
        `bad-id:${topic}`,
        { topic },
        "mqtt: topic level is not a usable device id (letters, digits, _ -)",
      );
    }
    if (matched.length === 0) return;

    const read = readPayload(payload);
    const out: Reading[] = [];
    const failures = new Map<string, string[]>();
    const fail = (device: string, what: string) =>
      failures.set(device, [...(failures.get(device) ?? []), what]);
    // Payload-level problems (and broken JSON) are counted once per message, point-level ones per point.
    if ("reason" in read) drop(read.reason);
    else if (matched.some(({ binding }) => binding.point.json !== undefined) && !read.json().ok)
      drop("not-json");
    let cappedOut = false;
    for (const { binding, device } of matched) {
      const d = deviceFor(device, binding.profile);
      if (!d) {
        cappedOut = true;
        continue;
      }
      if ("reason" in read) {
        fail(device, read.reason);
        continue;
      }
      const got = extractFrom(read, binding.point);
      if ("reason" in got) {
        if (got.reason !== "not-json") drop(got.reason);
        fail(device, `${binding.point.id}: ${got.reason}`);
        continue;
      }
      out.push({ ts, device, point: binding.point.id, value: got.value, quality: "good" });
    }
    if (cappedOut) {
      drop("too-many-devices");
      warnLimited(
        "too-many-devices",
        { topic, maxDevices: config.maxDevices },
        "mqtt: device cap reached; raise mqtt.maxDevices or narrow topics",
      );
    }
    for (const device of new Set(matched.map((m) => m.device))) {
      const d = devices.get(device);
      if (!d) continue;
      const problems = failures.get(device);
      d.health.record(!problems, 0, problems ? `${topic}: ${[...new Set(problems)].join(", ")}` : undefined);
      if (problems)
        for (const p of new Set(problems))
          warnLimited(`${device}:${p}`, { device, topic, problem: p }, "mqtt: dropped a malformed value");
    }
    if (out.length > 0) {
      readings += out.length;
      emit(out);
    }
  }

  return {
    async start() {
      if (embedded || external) return;
      const filters = minimalFilters(bindings.map((b) => b.topic.filter));
      const { broker } = config;
      if (broker.embedded) {
        embedded = await startEmbeddedBroker({
          config: broker.embedded,
          users: resolveUsers(broker.embedded, "mqtt.broker.embedded", options.env),
          tls: resolveBrokerTls(broker.embedded, "mqtt.broker.embedded", options.env),
          log,
          onRefused(kind, who, detail) {
            refused[kind] += 1;
            warnLimited(`refused:${kind}:${who}`, { who, detail }, `mqtt broker: refused ${kind}`);
          },
        });
        for (const f of filters) await embedded.subscribe(f, onMessage);
      } else if (broker.external) {
        const resolved = resolveExternal(broker.external, "mqtt.broker.external", options.env);
        external = await connectExternal({ broker: resolved, filters, onMessage, log });
        await external.ready;
      }
    },
    async stop() {
      await embedded?.close();
      await external?.close();
      embedded = undefined;
      external = undefined;
    },
    devices() {
      const status = external?.status();
      const outage =
        status && !status.connected && config.broker.external
          ? describeOutage(config.broker.external.url, status)
          : undefined;
      return [...devices.entries()].map(([id, d]) => {
        const health = d.health.snapshot();
        // Devices behind an unreachable broker cannot report: say so instead of their last state.
        if (outage) Object.assign(health, { status: "failing", lastError: outage });
        return { id, profile: d.profile, health };
      });
    },
    stats: () => ({ messages, readings, dropped: { ...dropped }, refused: { ...refused } }),
    broker: () => (embedded ? { port: embedded.port } : undefined),
    async publish(topic, payload, options) {
      const to = embedded ?? external;
      if (!to) throw new Error("the MQTT source is not running");
      await to.publish(topic, payload, options);
    },
  };
}
