import { fileURLToPath } from "node:url";
import { connectAsync, type MqttClient } from "mqtt";
import protobuf from "protobufjs";

/**
 * A Sparkplug B host application for tests: it subscribes to a group and decodes every payload
 * with protobufjs reading the spec's .proto by reflection, an implementation that shares no code
 * with the agent's codec (@bufbuild/protobuf), so both would have to be wrong the same way.
 */

const proto = fileURLToPath(
  new URL("../../../agent/src/sparkplug/payload/sparkplug_b.proto", import.meta.url),
);
const Payload = protobuf.loadSync(proto).lookupType("org.eclipse.tahu.protobuf.Payload");

export interface SeenMetric {
  name?: string;
  alias?: number;
  datatype?: number;
  timestamp?: number;
  isHistorical?: boolean;
  isNull?: boolean;
  value?: unknown;
  properties?: Record<string, unknown>;
}

export interface SeenMessage {
  topic: string;
  type: string;
  device?: string;
  seq?: number;
  metrics: SeenMetric[];
  bytes: number;
}

const num = (v: unknown) => (v === undefined ? undefined : Number(v));

export function decodeIndependently(topic: string, payload: Uint8Array): SeenMessage {
  const o = Payload.toObject(Payload.decode(payload), { longs: String, oneofs: true }) as {
    seq?: string;
    metrics?: Record<string, unknown>[];
  };
  const [, , type, , device] = topic.split("/");
  return {
    topic,
    type: type as string,
    ...(device ? { device } : {}),
    ...(o.seq !== undefined ? { seq: Number(o.seq) } : {}),
    bytes: payload.byteLength,
    metrics: (o.metrics ?? []).map((m) => {
      const field = m.value as string | undefined;
      const props = m.properties as { keys: string[]; values: Record<string, unknown>[] } | undefined;
      const propertyValue = (pv: Record<string, unknown>) => pv[pv.value as string];
      return {
        ...(m.name !== undefined ? { name: m.name as string } : {}),
        ...(m.alias !== undefined ? { alias: num(m.alias) } : {}),
        ...(m.datatype !== undefined ? { datatype: m.datatype as number } : {}),
        ...(m.timestamp !== undefined ? { timestamp: num(m.timestamp) } : {}),
        ...(m.isHistorical ? { isHistorical: true } : {}),
        ...(m.isNull ? { isNull: true } : {}),
        ...(field ? { value: m[field] } : {}),
        ...(props
          ? {
              properties: Object.fromEntries(
                props.keys.map((k, i) => [k, propertyValue(props.values[i] ?? {})]),
              ),
            }
          : {}),
      };
    }),
  };
}

export function encodeIndependently(o: Record<string, unknown>): Buffer {
  return Buffer.from(Payload.encode(Payload.fromObject(o)).finish());
}

export interface SparkplugHost {
  client: MqttClient;
  messages: SeenMessage[];
  since(index: number): SeenMessage[];
  close(): Promise<void>;
}

/** `clientId` makes the host's session persistent (clean: false): with a persistent broker it misses nothing across a restart. */
export async function startSparkplugHost(
  url: string,
  group: string,
  options: { clientId?: string } = {},
): Promise<SparkplugHost> {
  const client = await connectAsync(url, {
    reconnectPeriod: 100,
    ...(options.clientId ? { clientId: options.clientId, clean: false } : { clean: true }),
  });
  const messages: SeenMessage[] = [];
  client.on("message", (topic, payload) => messages.push(decodeIndependently(topic, payload)));
  await client.subscribeAsync(`spBv1.0/${group}/#`, { qos: 1 });
  return {
    client,
    messages,
    since: (index) => messages.slice(index),
    close: () => client.endAsync(true),
  };
}
