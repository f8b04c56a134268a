import { type AnyProfile, pointLabel } from "@tidegate/profiles";
import type { Reading, SourceHealth, SparkplugNorthStatus } from "@tidegate/protocol";
import type { Logger } from "pino";
import { createSeriesMap } from "../../series-map.js";
import { resolveExternal } from "../../sources/mqtt/config.js";
import { connectExternal, type ExternalConnection } from "../../sources/mqtt/external.js";
import { decodePayload } from "../payload/codec.js";
import { REBIRTH_METRIC, topicOf } from "../topic.js";
import type { SparkplugNorthConfig } from "./config.js";
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
      return { id: p.id, label: label.name, ...(label.unit ? { unit: label.unit } : {}) };
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
  const counts = { messages: 0, bytes: 0, historyDropped: 0, commandsDropped: 0 };
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

  const onCommand = (_topic: string, payload: Buffer) => {
    let rebirthAsked = false;
    try {
      rebirthAsked = decodePayload(payload).metrics.some(
        (m) => m.name === REBIRTH_METRIC && m.value === true,
      );
    } catch (err) {
      counts.commandsDropped += 1;
      log.warn({ err: (err as Error).message }, "sparkplug: NCMD dropped");
      return;
    }
    if (rebirthAsked) {
      log.info("sparkplug: rebirth requested by NCMD");
      void rebirth();
    }
  };

  conn = await connectExternal({
    broker: resolveExternal(config.broker, "sparkplug.broker", o.env),
    filters: [topicOf({ group: config.groupId, type: "NCMD", edgeNode: edgeNodeId })],
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
      };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await chain;
      // A clean stop is a death too: the broker sends the will only when a connection drops.
      if (conn?.status().connected) await send([session.death()]).catch(() => {});
      await conn?.close();
    },
  };
}
