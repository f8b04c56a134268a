/**
 * Sparkplug B topics (spec 3.0, chapter 4): spBv1.0/<group>/<type>/<edge node>[/<device>]. Group,
 * edge node and device ids are single topic levels, so '/', '+' and '#' cannot appear in them.
 */

export const NAMESPACE = "spBv1.0";

export const MESSAGE_TYPES = [
  "NBIRTH",
  "NDEATH",
  "DBIRTH",
  "DDEATH",
  "NDATA",
  "DDATA",
  "NCMD",
  "DCMD",
  "STATE",
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export const SPARKPLUG_ID = /^[^/+#]+$/;

export interface SparkplugTopic {
  group: string;
  type: Exclude<MessageType, "STATE">;
  edgeNode: string;
  device?: string;
}

export function topicOf(t: SparkplugTopic): string {
  const base = `${NAMESPACE}/${t.group}/${t.type}/${t.edgeNode}`;
  return t.device === undefined ? base : `${base}/${t.device}`;
}

/** undefined when the topic is not a Sparkplug B edge node or device topic (STATE, other namespaces). */
export function parseTopic(topic: string): SparkplugTopic | undefined {
  const levels = topic.split("/");
  if (levels[0] !== NAMESPACE || levels.length < 4 || levels.length > 5) return undefined;
  const [, group, type, edgeNode, device] = levels as [string, string, string, string, string?];
  if (!(MESSAGE_TYPES as readonly string[]).includes(type) || type === "STATE") return undefined;
  if (!group || !edgeNode || device === "") return undefined;
  const isDeviceType = type.startsWith("D");
  if (isDeviceType !== (device !== undefined)) return undefined;
  return { group, type: type as SparkplugTopic["type"], edgeNode, ...(device ? { device } : {}) };
}

/** The metric an NCMD carries to ask an edge node for NBIRTH and all its DBIRTHs again. */
export const REBIRTH_METRIC = "Node Control/Rebirth";
export const BDSEQ_METRIC = "bdSeq";
