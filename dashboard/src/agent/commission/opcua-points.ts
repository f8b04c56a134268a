import type { OpcuaBrowsedNode } from "@tidegate/protocol";

/** The agent's OPC UA browse answer, one node under the browsed one. */
export type BrowsedNode = OpcuaBrowsedNode;

/** One step from the Objects folder to a node: its browse name and that name's namespace URI. */
export interface BrowseStep {
  name: string;
  uri: string;
}

/** A picked variable as a device's `nodes:` entry (the agent's OPC UA point). */
export interface NodePoint {
  id: string;
  name: string;
  type: "number" | "boolean" | "string" | "datetime";
  namespace: string;
  browsePath?: string;
  nodeId?: string;
  index?: number;
}

const UA = "http://opcfoundation.org/UA/";

function valueType(dataType: string | undefined): NodePoint["type"] {
  if (dataType === "Boolean") return "boolean";
  if (dataType === "String" || dataType === "LocalizedText" || dataType === "ByteString") return "string";
  if (dataType === "DateTime") return "datetime";
  return "number";
}

/** A point id in the letters the config allows, unique among `taken`. */
export function pointIdOf(name: string, taken: readonly string[]): string {
  const base = name.replace(/[^A-Za-z0-9_-]+/g, "_").replace(/^_+|_+$/g, "") || "point";
  let id = base;
  for (let n = 2; taken.includes(id); n++) id = `${base}_${n}`;
  return id;
}

/**
 * The point for a variable reached by `path`. A browse path survives a server that renumbers its
 * NodeIds, so it is preferred whenever it can be written: every step in one namespace (or the
 * standard's own, written `0:`) and no '/' inside a name. Otherwise the NodeId's identifier, with
 * its namespace by URI. An array variable reads element `index` (its first when none is given),
 * and the point is named after the element.
 */
export function pointOf(
  path: readonly BrowseStep[],
  node: BrowsedNode,
  taken: readonly string[],
  index?: number,
): NodePoint {
  const own = [...new Set(path.map((s) => s.uri).filter((u) => u !== UA))];
  const name = node.displayName || node.browseName;
  const base = {
    id: pointIdOf(index === undefined ? node.browseName : `${node.browseName}_${index}`, taken),
    name: index === undefined ? name : `${name}[${index}]`,
    type: valueType(node.dataType),
    ...(index !== undefined ? { index } : Array.isArray(node.value) ? { index: 0 } : {}),
  };
  if (own.length <= 1 && path.every((s) => !s.name.includes("/") && s.name.length > 0))
    return {
      ...base,
      namespace: own[0] ?? UA,
      browsePath: path.map((s) => (s.uri === UA && own.length > 0 ? `0:${s.name}` : s.name)).join("/"),
    };
  return {
    ...base,
    namespace: node.namespaceUri ?? UA,
    nodeId: node.nodeId.replace(/^ns=\d+;/, ""),
  };
}

/** The profile id a browsed device's own nodes make: `local/<device id>`, lowercase. */
export const localProfileOf = (deviceId: string) =>
  `local/${
    deviceId
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "device"
  }`;

/** A browsed value as the tree shows it. */
export function shownValue(node: BrowsedNode): string {
  if (node.value === undefined || node.value === null) return "";
  const v = Array.isArray(node.value)
    ? `[${node.value.slice(0, 4).join(", ")}${node.value.length > 4 ? ", …" : ""}]`
    : String(node.value);
  return v.length > 40 ? `${v.slice(0, 39)}…` : v;
}

/** The elements of an array variable's value the tree offers to pick (the first `max`). */
export function arrayElements(node: BrowsedNode, max = 100): { index: number; value: string }[] {
  if (!Array.isArray(node.value)) return [];
  return node.value.slice(0, max).map((v, index) => ({ index, value: String(v) }));
}

/** Where a pick is kept: the variable, or one element of it. */
export const pickKey = (nodeId: string, index?: number) =>
  index === undefined ? nodeId : `${nodeId}[${index}]`;
