import type { MqttProfile } from "@tidegate/profiles";
import type { Reading, SourceHealth } from "@tidegate/protocol";
import type { Logger } from "pino";
import { encodePayload } from "../../sparkplug/payload/codec.js";
import { DataType } from "../../sparkplug/payload/datatypes.js";
import { NAMESPACE, REBIRTH_METRIC, topicOf } from "../../sparkplug/topic.js";
import { resolveExternal } from "../mqtt/config.js";
import { connectExternal, describeOutage, type ExternalConnection } from "../mqtt/external.js";
import type { SparkplugSourceConfig } from "./config.js";
import { createSparkplugHost, type HostDevice } from "./host.js";

/**
 * A Sparkplug B group read as a source: one broker connection (with the agent's backoff), the
 * host logic of host.ts, and the rebirth requests it asks for, at most one per edge node per
 * `rebirthMinIntervalMs` until the node is born again, so a node that keeps confusing us is not
 * flooded with commands.
 */

/** Sparkplug devices describe themselves in their births; this stands in for a profile file. */
function profileOf(d: HostDevice, group: string): MqttProfile {
  return {
    kind: "mqtt",
    id: "sparkplug/b",
    vendor: "Sparkplug B",
    model: d.edgeNode,
    protocols: ["mqtt"],
    source: { title: "Sparkplug 3.0 specification", url: "https://sparkplug.eclipse.org/specification/" },
    testdata: [],
    points: [...d.points.values()].map((m) => ({
      id: m.point,
      name: m.name,
      ...(m.unit ? { unit: m.unit } : {}),
      scale: 1,
      offset: 0,
      topic: `${NAMESPACE}/${group}/+/${d.edgeNode}/#`,
      type: m.datatype === DataType.Boolean ? "bool" : m.datatype === DataType.String ? "string" : "number",
    })),
  } as MqttProfile;
}

export interface SparkplugSourceOptions {
  config: SparkplugSourceConfig;
  /** Where in the config, for secret and file errors: `sparkplugSources.0`. */
  where: string;
  emit: (readings: Reading[]) => void;
  log: Logger;
  backoff?: { initialMs?: number; maxMs?: number };
}

export function createSparkplugSource(o: SparkplugSourceOptions) {
  const { config, log } = o;
  const group = config.groupId;
  const asked = new Map<string, number>();
  let conn: ExternalConnection | undefined;
  let rebirths = 0;

  const host = createSparkplugHost({
    group,
    events: {
      emit: o.emit,
      // The limit holds back requests a node has not answered yet; a birth answers them.
      born: (edgeNode) => asked.delete(edgeNode),
      rebirth(edgeNode, why) {
        const last = asked.get(edgeNode) ?? Number.NEGATIVE_INFINITY;
        if (Date.now() - last < config.rebirthMinIntervalMs || !conn) return;
        asked.set(edgeNode, Date.now());
        rebirths += 1;
        log.info({ group, edgeNode, why }, "sparkplug: asking the edge node for a rebirth");
        const payload = encodePayload({
          timestamp: Date.now(),
          metrics: [{ name: REBIRTH_METRIC, datatype: DataType.Boolean, value: true }],
        });
        conn
          .publish(topicOf({ group, type: "NCMD", edgeNode }), payload, { qos: 0, retain: false })
          .catch((err: Error) =>
            log.warn({ edgeNode, err: err.message }, "sparkplug: rebirth request not sent"),
          );
      },
    },
  });

  const healthOf = (d: HostDevice): SourceHealth => {
    const s = conn?.status();
    if (!s?.connected)
      return {
        device: d.id,
        status: "failing",
        lastError: describeOutage(config.broker.url, s ?? { connected: false, since: 0, attempts: 0 }),
        successRate: 0,
      };
    if (d.alive) return { device: d.id, status: "ok", successRate: 1 };
    return { device: d.id, status: "failing", lastError: d.reason ?? "not born", successRate: 0 };
  };

  return {
    async start() {
      conn = await connectExternal({
        broker: resolveExternal(config.broker, `${o.where}.broker`),
        filters: [`${NAMESPACE}/${group}/#`],
        onMessage: host.onMessage,
        log,
        ...(o.backoff ? { backoff: o.backoff } : {}),
      });
      await conn.ready;
    },
    async stop() {
      await conn?.close();
    },
    devices: () =>
      host.devices().map((d) => ({ id: d.id, profile: profileOf(d, group), health: healthOf(d) })),
    dropped: host.dropped,
    rebirthsAsked: () => rebirths,
  };
}
