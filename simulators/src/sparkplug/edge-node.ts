import type { PointSpec, Profile } from "@tidegate/profiles";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import type { PointValue } from "../encode/index.js";
import { createGenerator, type ValueGenerator } from "../generators.js";
import { decodeSparkplug, encodeSparkplug, SPARKPLUG_TYPE } from "./payload.js";

/**
 * A simulated Sparkplug B edge node (a PLC gateway, an Ignition Edge): devices from Modbus
 * profiles, their points' simulated values as metrics. It behaves as the spec says an edge node
 * must: a new bdSeq in the NDEATH will of every CONNECT, NBIRTH (seq 0) and a DBIRTH per device
 * after each connect, DDATA by alias every interval, births again on NCMD `Node Control/Rebirth`.
 */

export interface SparkplugEdgeNodeOptions {
  url: string;
  group: string;
  edgeNode: string;
  devices: { id: string; profile: Profile }[];
  /** How often DDATA goes out; default 1000. */
  intervalMs?: number;
  seed?: number;
  username?: string;
  password?: string;
  clientId?: string;
}

export interface SparkplugEdgeNode {
  /** The bdSeq of the current connection. */
  bdSeq(): number;
  /** NCMD rebirth requests answered. */
  rebirths(): number;
  publishNow(): Promise<void>;
  /** Publishes bytes on a DDATA topic of this node: for malformed-payload tests. */
  publishRaw(device: string, payload: Buffer): Promise<void>;
  /** Drops the TCP connection without DISCONNECT, so the broker sends the will (NDEATH). */
  drop(): void;
  close(): Promise<void>;
}

interface Metric {
  device: string;
  point: PointSpec;
  alias: number;
  generator: ValueGenerator;
}

function valueFields(v: PointValue): Record<string, unknown> {
  if (typeof v === "boolean") return { datatype: SPARKPLUG_TYPE.Boolean, booleanValue: v };
  if (typeof v === "string") return { datatype: SPARKPLUG_TYPE.String, stringValue: v };
  return { datatype: SPARKPLUG_TYPE.Double, doubleValue: v };
}

export async function startSparkplugEdgeNode(o: SparkplugEdgeNodeOptions): Promise<SparkplugEdgeNode> {
  const base = `spBv1.0/${o.group}`;
  let alias = 0;
  const metrics: Metric[] = o.devices.flatMap((d) =>
    d.profile.points.map((point) => ({
      device: d.id,
      point,
      alias: ++alias,
      generator: createGenerator(point, o.seed === undefined ? {} : { seed: o.seed }),
    })),
  );
  const started = Date.now();
  const now = () => (Date.now() - started) / 1000;
  let bdSeq = 0;
  let seq = 0;
  let rebirths = 0;
  let born = false;
  const will = () => ({
    topic: `${base}/NDEATH/${o.edgeNode}`,
    payload: encodeSparkplug({
      timestamp: Date.now(),
      metrics: [{ name: "bdSeq", datatype: SPARKPLUG_TYPE.UInt64, longValue: bdSeq }],
    }),
    qos: 1 as const,
    retain: false,
  });
  const options: IClientOptions = {
    reconnectPeriod: 500,
    connectTimeout: 10_000,
    queueQoSZero: false,
    clientId: o.clientId ?? `tidegate-sim-spb-${o.edgeNode}-${process.pid}`,
    will: will(),
  };
  if (o.username !== undefined) options.username = o.username;
  if (o.password !== undefined) options.password = o.password;
  const client: MqttClient = await mqtt.connectAsync(o.url, options);
  client.on("error", () => {});

  const send = (type: string, payload: Record<string, unknown>, device?: string) =>
    client.publishAsync(
      `${base}/${type}/${o.edgeNode}${device ? `/${device}` : ""}`,
      encodeSparkplug(payload),
    );
  const next = () => {
    seq = (seq + 1) % 256;
    return seq;
  };

  async function births() {
    born = false;
    seq = 0;
    await send("NBIRTH", {
      timestamp: Date.now(),
      seq: 0,
      metrics: [
        { name: "bdSeq", datatype: SPARKPLUG_TYPE.UInt64, longValue: bdSeq },
        { name: "Node Control/Rebirth", datatype: SPARKPLUG_TYPE.Boolean, booleanValue: false },
      ],
    });
    const t = now();
    for (const d of o.devices)
      await send(
        "DBIRTH",
        {
          timestamp: Date.now(),
          seq: next(),
          metrics: metrics
            .filter((m) => m.device === d.id)
            .map((m) => ({
              name: m.point.id,
              alias: m.alias,
              timestamp: Date.now(),
              ...valueFields(m.generator.next(t)),
              ...(m.point.unit
                ? {
                    properties: {
                      keys: ["engUnit"],
                      values: [{ type: SPARKPLUG_TYPE.String, stringValue: m.point.unit }],
                    },
                  }
                : {}),
            })),
        },
        d.id,
      );
    born = true;
  }

  client.on("connect", () => {
    void client
      .subscribeAsync(`${base}/NCMD/${o.edgeNode}`, { qos: 1 })
      .then(births)
      .catch(() => {});
  });
  // Every CONNECT carries a new bdSeq: set the will of the next one as this connection ends.
  client.on("close", () => {
    bdSeq = (bdSeq + 1) % 256;
    client.options.will = will();
  });
  client.on("message", (_topic, payload) => {
    try {
      const asked = (decodeSparkplug(payload).metrics ?? []).some(
        (m) => m.name === "Node Control/Rebirth" && m.booleanValue === true,
      );
      if (!asked) return;
    } catch {
      return; // a command the node cannot read changes nothing
    }
    rebirths += 1;
    void births().catch(() => {});
  });
  await births();

  async function publishNow() {
    if (!client.connected || !born) return;
    const t = now();
    for (const d of o.devices) {
      const values = metrics
        .filter((m) => m.device === d.id)
        .map((m) => {
          const { datatype: _, ...value } = valueFields(m.generator.next(t));
          return { alias: m.alias, timestamp: Date.now(), ...value };
        });
      await send("DDATA", { timestamp: Date.now(), seq: next(), metrics: values }, d.id);
    }
  }
  const timer = setInterval(() => void publishNow().catch(() => {}), o.intervalMs ?? 1000);

  return {
    bdSeq: () => bdSeq,
    rebirths: () => rebirths,
    publishNow,
    publishRaw: async (device, payload) => {
      await client.publishAsync(`${base}/DDATA/${o.edgeNode}/${device}`, payload);
    },
    drop: () => client.stream.destroy(),
    async close() {
      clearInterval(timer);
      await client.endAsync(true);
    },
  };
}
