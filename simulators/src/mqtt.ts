import type { MqttPoint, MqttProfile, PointSpec } from "@tidegate/profiles";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import type { PointValue } from "./encode/index.js";
import { createGenerator, type ValueGenerator } from "./generators.js";

/**
 * A simulated MQTT device: publishes every point of an MQTT profile on its topic, as the real device
 * would. Points sharing a topic go out as one JSON object built from their json paths (Tasmota's
 * tele/<id>/SENSOR); a point without a json path is the whole payload (Shelly Gen1's plain values).
 */

export interface MqttPublisherOptions {
  url: string;
  profile: MqttProfile;
  /** Put in the `{device}` topic level. */
  deviceId: string;
  /** How often every topic is published; default 1000. */
  intervalMs?: number;
  /** Seeds walk and noise so a run is reproducible. */
  seed?: number;
  /** Levels before every topic, like the agent's topicPrefix. */
  topicPrefix?: string;
  username?: string;
  password?: string;
  /** PEM text or file contents of the CA, for mqtts:// brokers with a private CA. */
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  clientId?: string;
}

export interface MqttPublisher {
  /** Topics the profile names but that cannot be published (they hold `+` or `#`), by point id. */
  readonly skipped: string[];
  /** Pins a point to a value (its generator stops); sent from the next publish on. */
  set(pointId: string, value: PointValue): void;
  /** Publishes every topic now, without waiting for the interval. */
  publishNow(): Promise<void>;
  /** Sends any bytes on any topic: for malformed-payload tests. */
  publishRaw(topic: string, payload: string | Buffer): Promise<void>;
  /** How many rounds of topics went out. */
  rounds(): number;
  close(): Promise<void>;
}

/** The generators take a Modbus-shaped point; an MQTT point maps onto it by its value type. */
function asPointSpec(point: MqttPoint): PointSpec {
  const type = point.type === "number" ? "float64" : point.type;
  return {
    ...point,
    register: { table: "input", address: 0, type, order: "ABCD" },
    access: "read",
  } as PointSpec;
}

/** Sets obj[a][b][0]... creating objects, or arrays where the next segment is an index. */
export function setPath(root: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let cur: Record<string, unknown> | unknown[] = root;
  parts.forEach((part, i) => {
    const key = Array.isArray(cur) ? Number(part) : part;
    const last = i === parts.length - 1;
    const slot = cur as Record<string | number, unknown>;
    if (last) slot[key] = value;
    else {
      if (slot[key] === undefined || typeof slot[key] !== "object")
        slot[key] = /^\d+$/.test(parts[i + 1] as string) ? [] : {};
      cur = slot[key] as Record<string, unknown> | unknown[];
    }
  });
}

/** Engineering value -> what the device sends: inverts scale/offset and keeps 3 decimals, like most firmware. */
function raw(point: MqttPoint, value: PointValue): string | number | boolean {
  if (point.type !== "number" || typeof value !== "number") return value;
  return Math.round(((value - point.offset) / point.scale) * 1000) / 1000;
}

export async function startMqttPublisher(options: MqttPublisherOptions): Promise<MqttPublisher> {
  const { profile, deviceId } = options;
  const prefix = (options.topicPrefix ?? "").replace(/^\/+|\/+$/g, "");
  const generators = new Map<string, ValueGenerator>();
  const pinned = new Map<string, PointValue>();
  const byTopic = new Map<string, MqttPoint[]>();
  const skipped: string[] = [];
  for (const point of profile.points) {
    const opts = options.seed === undefined ? {} : { seed: options.seed };
    generators.set(point.id, createGenerator(asPointSpec(point), opts));
    const topic = point.topic.replace("{device}", deviceId);
    if (/[+#]/.test(topic)) {
      skipped.push(point.id);
      continue;
    }
    const full = prefix ? `${prefix}/${topic}` : topic;
    byTopic.set(full, [...(byTopic.get(full) ?? []), point]);
  }

  // Like a real device, nothing is queued while the broker is away: those values are simply lost.
  const clientOptions: IClientOptions = { reconnectPeriod: 500, connectTimeout: 10_000, queueQoSZero: false };
  clientOptions.clientId =
    options.clientId ?? `tidegate-sim-${deviceId}-${process.pid}-${Date.now() % 100000}`;
  for (const k of ["username", "password", "ca", "cert", "key"] as const)
    if (options[k] !== undefined) (clientOptions as Record<string, unknown>)[k] = options[k];
  const client: MqttClient = await mqtt.connectAsync(options.url, clientOptions);
  // A simulator whose broker restarts keeps trying; errors are visible as missing data, not crashes.
  client.on("error", () => {});

  const started = Date.now();
  let rounds = 0;
  const value = (point: MqttPoint, tS: number): PointValue =>
    pinned.get(point.id) ?? (generators.get(point.id) as ValueGenerator).next(tS);

  async function publishNow() {
    if (!client.connected) return;
    const tS = (Date.now() - started) / 1000;
    const sends: Promise<unknown>[] = [];
    for (const [topic, points] of byTopic) {
      const plain = points.filter((p) => p.json === undefined);
      for (const p of plain) sends.push(client.publishAsync(topic, String(raw(p, value(p, tS)))));
      const structured = points.filter((p) => p.json !== undefined);
      if (structured.length === 0) continue;
      const doc: Record<string, unknown> = {};
      for (const p of structured) setPath(doc, p.json as string, raw(p, value(p, tS)));
      sends.push(client.publishAsync(topic, JSON.stringify(doc)));
    }
    await Promise.all(sends);
    rounds += 1;
  }

  const timer = setInterval(() => {
    publishNow().catch(() => {});
  }, options.intervalMs ?? 1000);

  return {
    skipped,
    set(pointId, v) {
      if (!generators.has(pointId)) throw new Error(`${profile.id} has no point '${pointId}'`);
      pinned.set(pointId, v);
    },
    publishNow,
    async publishRaw(topic, payload) {
      await client.publishAsync(topic, payload);
    },
    rounds: () => rounds,
    async close() {
      clearInterval(timer);
      await client.endAsync(true);
    },
  };
}
