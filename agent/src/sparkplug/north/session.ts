import type { Reading, ReadingValue } from "@tidegate/protocol";
import { encodePayload, type SparkplugMetric } from "../payload/codec.js";
import { DataType } from "../payload/datatypes.js";
import { BDSEQ_METRIC, REBIRTH_METRIC, topicOf } from "../topic.js";
import { fitsDatatype } from "./point-datatype.js";

/**
 * What an edge node says, as pure logic: the bdSeq of each MQTT connection (its NDEATH will and
 * NBIRTH carry the same one), seq 0–255 on every other message with NBIRTH at 0, one alias per
 * metric re-sent in every birth, DDATA by exception (only values that changed since the last
 * message). The connection (edge-node.ts) decides when to ask for what.
 */

export interface PointModel {
  id: string;
  unit?: string;
  /** The profile's name for people; sent as a property, the metric's name is the point id. */
  label?: string;
  /** From the profile (point-datatype.ts); undefined: the value decides. */
  datatype?: DataType;
}

export interface DeviceModel {
  id: string;
  points: readonly PointModel[];
}

export interface Outgoing {
  topic: string;
  payload: Uint8Array;
}

interface MetricState {
  alias: number;
  datatype: DataType;
  /** The last value sent (undefined: none yet), for report by exception. */
  last?: ReadingValue | null;
}

function datatypeOf(v: ReadingValue | null | undefined): DataType | undefined {
  if (typeof v === "boolean") return DataType.Boolean;
  if (typeof v === "string") return DataType.String;
  if (typeof v === "number") return DataType.Double;
  return undefined;
}

const sentValue = (r: Reading): ReadingValue | null => (r.quality === "bad" ? null : r.value);

export function createEdgeSession(o: { groupId: string; edgeNodeId: string; now?: () => number }) {
  const now = o.now ?? Date.now;
  const node = { group: o.groupId, edgeNode: o.edgeNodeId };
  // bdSeq starts at 0 for the first connect and goes up by one per CONNECT (spec 3.0, 7.3).
  let bdSeq = -1;
  let seq = 0;
  let nextAlias = 1;
  const aliases = new Map<string, number>();
  const metrics = new Map<string, Map<string, MetricState>>();
  const born = new Set<string>();

  const aliasOf = (key: string) => {
    let a = aliases.get(key);
    if (a === undefined) {
      a = nextAlias++;
      aliases.set(key, a);
    }
    return a;
  };
  const nextSeq = () => {
    seq = (seq + 1) % 256;
    return seq;
  };
  const bdSeqMetric = (): SparkplugMetric => ({
    name: BDSEQ_METRIC,
    datatype: DataType.UInt64,
    value: bdSeq,
  });

  function death(): Outgoing {
    return {
      topic: topicOf({ ...node, type: "NDEATH" }),
      payload: encodePayload({ timestamp: now(), metrics: [bdSeqMetric()] }),
    };
  }

  function deviceBirth(d: DeviceModel, current: ReadonlyMap<string, Reading>): Outgoing {
    const state = new Map<string, MetricState>();
    const ids = new Set([...d.points.map((p) => p.id), ...current.keys()]);
    const byId = new Map(d.points.map((p) => [p.id, p]));
    const out: SparkplugMetric[] = [];
    for (const id of ids) {
      const reading = current.get(id);
      const value = reading ? sentValue(reading) : null;
      const p = byId.get(id);
      // The profile's type when the value fits it (an Int16 point sends Int16), else the value's own.
      const declared = p?.datatype !== undefined && fitsDatatype(value, p.datatype) ? p.datatype : undefined;
      const datatype =
        declared ?? datatypeOf(value) ?? metrics.get(d.id)?.get(id)?.datatype ?? DataType.Double;
      const alias = aliasOf(`${d.id}/${id}`);
      state.set(id, { alias, datatype, last: value });
      const properties: Record<string, string> = {};
      if (p?.unit) properties.engUnit = p.unit;
      if (p?.label) properties.description = p.label;
      out.push({
        name: id,
        alias,
        datatype,
        value,
        ...(reading ? { timestamp: reading.ts } : {}),
        ...(Object.keys(properties).length > 0 ? { properties } : {}),
      });
    }
    metrics.set(d.id, state);
    born.add(d.id);
    return {
      topic: topicOf({ ...node, type: "DBIRTH", device: d.id }),
      payload: encodePayload({ timestamp: now(), seq: nextSeq(), metrics: out }),
    };
  }

  return {
    /** The bdSeq for the next MQTT CONNECT, with its will: call once per connect attempt. */
    nextConnect(): Outgoing {
      bdSeq = (bdSeq + 1) % 256;
      return death();
    },
    /** The NDEATH of this connection, for a clean stop (the broker sends the will only when a connection drops). */
    death,
    bdSeq: () => bdSeq,
    born: (device: string) => born.has(device),

    /** NBIRTH (seq 0) and a DBIRTH for every device given, with current values and every alias. */
    birth(
      devices: readonly DeviceModel[],
      current: (device: string) => ReadonlyMap<string, Reading>,
    ): Outgoing[] {
      born.clear();
      seq = 0;
      const nbirth: Outgoing = {
        topic: topicOf({ ...node, type: "NBIRTH" }),
        payload: encodePayload({
          timestamp: now(),
          seq: 0,
          metrics: [bdSeqMetric(), { name: REBIRTH_METRIC, datatype: DataType.Boolean, value: false }],
        }),
      };
      return [nbirth, ...devices.map((d) => deviceBirth(d, current(d.id)))];
    },

    deviceBirth,

    /** The point a command's metric means (by alias, else by name) on a device born in this session. */
    resolve(
      device: string,
      m: { alias?: number; name?: string },
    ): { point: string; datatype: DataType } | undefined {
      const state = metrics.get(device);
      if (!state) return undefined;
      for (const [point, s] of state)
        if (m.alias !== undefined ? s.alias === m.alias : point === m.name)
          return { point, datatype: s.datatype };
      return undefined;
    },

    /** DDEATH: the device's metrics are stale until its next DBIRTH. */
    deviceDeath(device: string): Outgoing {
      born.delete(device);
      return {
        topic: topicOf({ ...node, type: "DDEATH", device }),
        payload: encodePayload({ timestamp: now(), seq: nextSeq(), metrics: [] }),
      };
    },

    /**
     * DDATA of the readings' changed values, one message per device. A device not born yet, or a
     * point whose value changed type, is answered by its DBIRTH instead (which carries the values).
     */
    data(
      readings: readonly Reading[],
      model: (device: string) => DeviceModel,
      current: (device: string) => ReadonlyMap<string, Reading>,
      historical = false,
    ): Outgoing[] {
      const byDevice = new Map<string, Reading[]>();
      for (const r of readings) {
        const list = byDevice.get(r.device);
        if (list) list.push(r);
        else byDevice.set(r.device, [r]);
      }
      const out: Outgoing[] = [];
      for (const [device, list] of byDevice) {
        const state = metrics.get(device);
        const rebirth =
          !born.has(device) ||
          list.some((r) => {
            const m = state?.get(r.point);
            return m === undefined || !fitsDatatype(sentValue(r), m.datatype);
          });
        if (rebirth && !historical) {
          out.push(deviceBirth(model(device), current(device)));
          continue;
        }
        const sent: SparkplugMetric[] = [];
        for (const r of list) {
          const m = state?.get(r.point);
          const value = sentValue(r);
          if (!m || !fitsDatatype(value, m.datatype)) continue;
          if (!historical && m.last !== undefined && m.last === value) continue;
          if (!historical) m.last = value;
          sent.push({
            alias: m.alias,
            timestamp: r.ts,
            value,
            // DATA leaves the datatype to the alias (spec 3.0: SHOULD NOT be included).
            datatype: m.datatype,
            datatypeOnWire: false,
            ...(historical ? { isHistorical: true } : {}),
          });
        }
        if (sent.length > 0)
          out.push({
            topic: topicOf({ ...node, type: "DDATA", device }),
            payload: encodePayload({ timestamp: now(), seq: nextSeq(), metrics: sent }),
          });
      }
      return out;
    },
  };
}
export type EdgeSession = ReturnType<typeof createEdgeSession>;
