import type { Reading, ReadingValue } from "@tidegate/protocol";
import {
  asDatatype,
  decodePayload,
  type SparkplugMetric,
  SparkplugPayloadError,
} from "../../sparkplug/payload/codec.js";
import type { DataType } from "../../sparkplug/payload/datatypes.js";
import { BDSEQ_METRIC, parseTopic, type SparkplugTopic } from "../../sparkplug/topic.js";

/**
 * What a Sparkplug B host application keeps of each edge node, as pure logic: the metrics and
 * aliases of its births, its seq (0–255, one more with every message after NBIRTH), which of its
 * devices are alive. Data before a birth, an unknown alias or a seq gap means the host's picture is
 * wrong: it asks the edge node to be born again (NCMD `Node Control/Rebirth`) and drops what it
 * cannot place, counted by reason. A death marks the node's or the device's points failing.
 */

export interface HostMetric {
  device: string;
  point: string;
  name: string;
  datatype: DataType;
  unit?: string;
}

export interface HostDevice {
  /** The Tidegate device id: `<edge node>` for node metrics, `<edge node>-<device>` otherwise. */
  id: string;
  edgeNode: string;
  points: Map<string, HostMetric>;
  alive: boolean;
  /** Why it is not alive (NDEATH, DDEATH). */
  reason?: string;
}

interface EdgeNode {
  bdSeq?: number;
  seq?: number;
  born: boolean;
  aliases: Map<number, HostMetric>;
  byName: Map<string, HostMetric>;
}

export interface HostEvents {
  emit(readings: Reading[]): void;
  /** Ask this edge node for NBIRTH and its DBIRTHs again. */
  rebirth(edgeNode: string, why: string): void;
  /** An NBIRTH came: whatever was asked of this node has been answered. */
  born?(edgeNode: string): void;
}

/** Tidegate ids keep to [A-Za-z0-9_-]; Sparkplug names ("Motor 1/Speed") may hold anything else. */
export const tidegateId = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, "_");

const toReadingValue = (v: SparkplugMetric["value"]): ReadingValue | null =>
  typeof v === "bigint" ? Number(v) : v;

export function createSparkplugHost(o: { group: string; events: HostEvents; now?: () => number }) {
  const now = o.now ?? Date.now;
  const nodes = new Map<string, EdgeNode>();
  const devices = new Map<string, HostDevice>();
  const dropped: Record<string, number> = {};
  const drop = (reason: string) => {
    dropped[reason] = (dropped[reason] ?? 0) + 1;
  };

  const nodeOf = (id: string) => {
    let n = nodes.get(id);
    if (!n) {
      n = { born: false, aliases: new Map(), byName: new Map() };
      nodes.set(id, n);
    }
    return n;
  };
  const deviceOf = (edgeNode: string, device?: string) => {
    const id = device === undefined ? tidegateId(edgeNode) : tidegateId(`${edgeNode}-${device}`);
    let d = devices.get(id);
    if (!d) {
      d = { id, edgeNode, points: new Map(), alive: false };
      devices.set(id, d);
    }
    return d;
  };
  const mark = (d: HostDevice, alive: boolean, reason?: string) => {
    d.alive = alive;
    if (reason === undefined) delete d.reason;
    else d.reason = reason;
  };

  function register(n: EdgeNode, d: HostDevice, metrics: SparkplugMetric[], ts: number): Reading[] {
    const readings: Reading[] = [];
    for (const m of metrics) {
      if (m.name === undefined || m.datatype === undefined) {
        drop("birth-metric-incomplete");
        continue;
      }
      if (m.name === BDSEQ_METRIC || m.name.startsWith("Node Control/")) continue;
      const unit = m.properties?.engUnit;
      const metric: HostMetric = {
        device: d.id,
        point: tidegateId(m.name),
        name: m.name,
        datatype: m.datatype,
        ...(typeof unit === "string" ? { unit } : {}),
      };
      d.points.set(metric.point, metric);
      n.byName.set(`${d.id}\u0000${m.name}`, metric);
      if (m.alias !== undefined) n.aliases.set(m.alias, metric);
      readings.push(readingOf(metric, m, ts));
    }
    return readings;
  }

  function readingOf(metric: HostMetric, m: SparkplugMetric, ts: number): Reading {
    const value = toReadingValue(asDatatype(m.value, metric.datatype));
    const at = m.timestamp ?? ts;
    return value === null
      ? {
          ts: at,
          device: metric.device,
          point: metric.point,
          value: null,
          quality: "bad",
          reason: "null in Sparkplug",
        }
      : { ts: at, device: metric.device, point: metric.point, value, quality: "good" };
  }

  /** seq must follow the last one by one (mod 256); a gap means messages were lost. */
  function seqFollows(n: EdgeNode, seq: number | undefined): boolean {
    if (seq === undefined || n.seq === undefined) return false;
    const ok = seq === (n.seq + 1) % 256;
    n.seq = seq;
    return ok;
  }

  function onNodeMessage(t: SparkplugTopic, payload: ReturnType<typeof decodePayload>) {
    const n = nodeOf(t.edgeNode);
    const ts = payload.timestamp ?? now();
    if (t.type === "NBIRTH") {
      const bdSeq = payload.metrics.find((m) => m.name === BDSEQ_METRIC)?.value;
      n.bdSeq = bdSeq === undefined || bdSeq === null ? undefined : Number(bdSeq);
      n.seq = payload.seq ?? 0;
      n.born = true;
      o.events.born?.(t.edgeNode);
      n.aliases.clear();
      n.byName.clear();
      for (const d of devices.values()) if (d.edgeNode === t.edgeNode) mark(d, false, "waiting for DBIRTH");
      const node = deviceOf(t.edgeNode);
      mark(node, true);
      const readings = register(n, node, payload.metrics, ts);
      if (readings.length > 0) o.events.emit(readings);
      return;
    }
    if (t.type === "NDEATH") {
      const bdSeq = payload.metrics.find((m) => m.name === BDSEQ_METRIC)?.value;
      // A will from an older connection arriving late must not kill the current session.
      if (n.bdSeq !== undefined && bdSeq !== undefined && bdSeq !== null && Number(bdSeq) !== n.bdSeq) {
        drop("stale-ndeath");
        return;
      }
      n.born = false;
      for (const d of devices.values()) if (d.edgeNode === t.edgeNode) mark(d, false, "NDEATH");
      return;
    }
    if (!n.born) {
      drop("before-birth");
      o.events.rebirth(t.edgeNode, `${t.type} before NBIRTH`);
      return;
    }
    if (!seqFollows(n, payload.seq)) {
      drop("seq-gap");
      n.born = false;
      o.events.rebirth(t.edgeNode, `seq gap at ${t.type}`);
      return;
    }
    const d = deviceOf(t.edgeNode, t.device);
    if (t.type === "DBIRTH") {
      mark(d, true);
      const readings = register(n, d, payload.metrics, ts);
      if (readings.length > 0) o.events.emit(readings);
      return;
    }
    if (t.type === "DDEATH") {
      mark(d, false, "DDEATH");
      return;
    }
    if (t.type === "NDATA" || t.type === "DDATA") {
      if (t.type === "DDATA" && !d.alive) {
        drop("before-birth");
        o.events.rebirth(t.edgeNode, "DDATA before DBIRTH");
        return;
      }
      const readings: Reading[] = [];
      let unknown = false;
      for (const m of payload.metrics) {
        const metric =
          m.alias !== undefined ? n.aliases.get(m.alias) : n.byName.get(`${d.id}\u0000${m.name ?? ""}`);
        if (!metric || metric.device !== d.id) {
          unknown = true;
          drop("unknown-metric");
          continue;
        }
        readings.push(readingOf(metric, m, ts));
      }
      if (readings.length > 0) o.events.emit(readings);
      if (unknown) o.events.rebirth(t.edgeNode, "unknown alias");
    }
    // NCMD and DCMD are for the edge node, not for us.
  }

  return {
    onMessage(topic: string, bytes: Uint8Array) {
      const t = parseTopic(topic);
      if (!t || t.group !== o.group) {
        drop("not-sparkplug-topic");
        return;
      }
      if (t.type === "NCMD" || t.type === "DCMD") return;
      let payload: ReturnType<typeof decodePayload>;
      try {
        payload = decodePayload(bytes);
      } catch (err) {
        drop(err instanceof SparkplugPayloadError ? err.reason : "undecodable");
        return;
      }
      onNodeMessage(t, payload);
    },
    devices: (): HostDevice[] => [...devices.values()],
    dropped: () => ({ ...dropped }),
  };
}
export type SparkplugHost = ReturnType<typeof createSparkplugHost>;
