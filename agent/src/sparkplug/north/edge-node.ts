import { type AnyProfile, pointLabel } from "@tidegate/profiles";
import type { Reading, ReadingValue, SourceHealth, SparkplugNorthStatus } from "@tidegate/protocol";
import type { Logger } from "pino";
import { createSeriesMap } from "../../series-map.js";
import { resolveExternal } from "../../sources/mqtt/config.js";
import { connectExternal, type ExternalConnection } from "../../sources/mqtt/external.js";
import { asDatatype, decodePayload, type SparkplugPayload } from "../payload/codec.js";
import { parseTopic, REBIRTH_METRIC, topicOf } from "../topic.js";
import type { SparkplugNorthConfig } from "./config.js";
import { declaredDatatype } from "./point-datatype.js";
import { createEdgeSession, type DeviceModel, type Outgoing } from "./session.js";

/**
 * The agent as a Sparkplug B edge node: a second way out for the readings, beside the JetStream
 * uplink and never instead of it (the buffer and its store-and-forward are the uplink's alone).
 * Every (re)connect sends a new bdSeq in its NDEATH will, then NBIRTH and a DBIRTH per device,
 * then what was read while the broker was away as historical metrics, oldest first. An NCMD
 * `Node Control/Rebirth` gets the births again; a failing device gets a DDEATH and a DBIRTH when it
 * reads again.
 */

export interface NorthDevice {
  id: string;
  profile: AnyProfile;
  health: Pick<SourceHealth, "status">;
}

export type NorthStatus = SparkplugNorthStatus;

export interface NorthOptions {
  config: SparkplugNorthConfig;
  gateway: string;
  devices: () => readonly NorthDevice[];
  log: Logger;
  /** How often device health is looked at for DDEATH/DBIRTH. */
  healthEveryMs?: number;
  backoff?: { initialMs?: number; maxMs?: number };
  env?: NodeJS.ProcessEnv;
  /**
   * The agent's remote write path (remote/write.ts: writable points only, type and range checked,
   * encoded in the point's byte order, read back), for DCMD when `dcmdWrites` is on.
   */
  write?: (args: { device: string; point: string; value: ReadingValue }) => Promise<unknown>;
}

export interface SparkplugNorth {
  ready: Promise<void>;
  onReadings(readings: readonly Reading[]): void;
  status(): NorthStatus;
  stop(): Promise<void>;
}

function modelOf(d: NorthDevice | undefined, id: string): DeviceModel {
  if (!d) return { id, points: [] };
  return {
    id,
    points: d.profile.points.map((p) => {
      const label = pointLabel(p);
      const datatype = declaredDatatype(d.profile.kind, p);
      return {
        id: p.id,
        label: label.name,
        ...(label.unit ? { unit: label.unit } : {}),
        ...(datatype !== undefined ? { datatype } : {}),
      };
    }),
  };
}

export async function startSparkplugNorth(o: NorthOptions): Promise<SparkplugNorth> {
  const { config, log } = o;
  const edgeNodeId = config.edgeNodeId ?? o.gateway;
  const session = createEdgeSession({ groupId: config.groupId, edgeNodeId });
  const current = createSeriesMap<Reading>();
  const currentOf = current.device;
  const deviceOf = (id: string) => o.devices().find((d) => d.id === id);
  const model = (id: string) => modelOf(deviceOf(id), id);
  const failing = new Set<string>();
  let history: Reading[] = [];
  const counts = {
    messages: 0,
    bytes: 0,
    historyDropped: 0,
    commandsDropped: 0,
    writes: 0,
    writesRefused: 0,
  };
  // Live readings wait behind births and history: seq order on the wire is the order of this chain.
  let live = false;
  let chain: Promise<void> = Promise.resolve();
  let stopped = false;

  const hold = (readings: readonly Reading[]) => {
    if (config.historyMax === 0) {
      counts.historyDropped += readings.length;
      return;
    }
    history.push(...readings);
    const over = history.length - config.historyMax;
    if (over > 0) {
      history = history.slice(over);
      counts.historyDropped += over;
    }
  };

  let conn: ExternalConnection | undefined;
  const send = async (messages: Outgoing[]) => {
    for (const m of messages) {
      await (conn as ExternalConnection).publish(m.topic, m.payload, { qos: 0, retain: false });
      counts.messages += 1;
      counts.bytes += m.payload.byteLength;
    }
  };
  const enqueue = (work: () => Promise<void>) => {
    chain = chain.then(work).catch((err: Error) => {
      // The broker went away mid-send: the next connect births again and sends what is held.
      live = false;
      log.warn({ err: err.message }, "sparkplug: publish failed; readings are held until the broker is back");
    });
    return chain;
  };

  const rebirth = () =>
    enqueue(async () => {
      live = false;
      const devices = o.devices().filter((d) => !failing.has(d.id));
      await send(
        session.birth(
          devices.map((d) => modelOf(d, d.id)),
          currentOf,
        ),
      );
      // A held reading that is still the newest of its point went out in the DBIRTH just now.
      history = history.filter((r) => current.get(r.device, r.point) !== r);
      while (history.length > 0) {
        const batch = history.slice(0, config.historyBatch);
        await send(session.data(batch, model, currentOf, true));
        history = history.slice(batch.length);
      }
      live = true;
    });

  // DCMD writes run one at a time, in the order they came.
  let writes: Promise<void> = Promise.resolve();
  const onDeviceCommand = (device: string, payload: SparkplugPayload) => {
    for (const m of payload.metrics) {
      const target = session.resolve(device, m);
      const what = `${device}/${m.name ?? `alias ${m.alias}`}`;
      writes = writes.then(async () => {
        try {
          if (!target) throw new Error(`no metric ${what} in this edge node's DBIRTH`);
          if (!o.write) throw new Error("writes are not available on this agent");
          const raw = asDatatype(m.value, target.datatype);
          if (raw === null) throw new Error("a null value cannot be written");
          const value = typeof raw === "bigint" ? Number(raw) : raw;
          await o.write({ device, point: target.point, value });
          counts.writes += 1;
        } catch (err) {
          counts.writesRefused += 1;
          log.warn({ device, metric: what, err: (err as Error).message }, "sparkplug: DCMD write refused");
        }
      });
    }
  };

  const onCommand = (topic: string, bytes: Buffer) => {
    const t = parseTopic(topic);
    let payload: SparkplugPayload;
    try {
      payload = decodePayload(bytes);
    } catch (err) {
      counts.commandsDropped += 1;
      log.warn({ topic, err: (err as Error).message }, "sparkplug: command dropped");
      return;
    }
    if (t?.type === "DCMD" && t.device !== undefined) {
      onDeviceCommand(t.device, payload);
      return;
    }
    if (payload.metrics.some((m) => m.name === REBIRTH_METRIC && m.value === true)) {
      log.info("sparkplug: rebirth requested by NCMD");
      void rebirth();
    }
  };

  conn = await connectExternal({
    broker: resolveExternal(config.broker, "sparkplug.broker", o.env),
    filters: [
      topicOf({ group: config.groupId, type: "NCMD", edgeNode: edgeNodeId }),
      ...(config.dcmdWrites
        ? [topicOf({ group: config.groupId, type: "DCMD", edgeNode: edgeNodeId, device: "+" })]
        : []),
    ],
    onMessage: onCommand,
    log,
    ...(o.backoff ? { backoff: o.backoff } : {}),
    will: () => ({ ...session.nextConnect(), qos: 1, retain: false }),
    onConnect: () => void rebirth(),
  });

  const healthTick = () =>
    enqueue(async () => {
      if (!live) return;
      for (const d of o.devices()) {
        const down = d.health.status === "failing";
        if (down && !failing.has(d.id)) {
          failing.add(d.id);
          if (session.born(d.id)) await send([session.deviceDeath(d.id)]);
        } else if (!down && failing.has(d.id)) {
          failing.delete(d.id);
          if (current.has(d.id)) await send([session.deviceBirth(model(d.id), currentOf(d.id))]);
        }
      }
    });
  const timer = setInterval(() => void healthTick(), o.healthEveryMs ?? 1000);

  return {
    ready: conn.ready,
    onReadings(readings) {
      if (stopped) return;
      const fresh = readings.filter((r) => !failing.has(r.device));
      if (!live) {
        hold(fresh);
      } else {
        void enqueue(async () => {
          try {
            await send(session.data(fresh, model, currentOf));
          } catch (err) {
            hold(fresh);
            throw err;
          }
        });
      }
      // Before the queued messages are built, so a new device's DBIRTH carries these values.
      for (const r of readings) current.set(r.device, r.point, r);
    },
    status() {
      const s = conn?.status();
      return {
        connected: s?.connected ?? false,
        bdSeq: session.bdSeq(),
        ...(s?.lastError ? { lastError: s.lastError } : {}),
        messages: counts.messages,
        bytes: counts.bytes,
        historyQueued: history.length,
        historyDropped: counts.historyDropped,
        commandsDropped: counts.commandsDropped,
        writes: counts.writes,
        writesRefused: counts.writesRefused,
      };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await chain;
      await writes;
      // A clean stop is a death too: the broker sends the will only when a connection drops.
      if (conn?.status().connected) await send([session.death()]).catch(() => {});
      await conn?.close();
    },
  };
}
