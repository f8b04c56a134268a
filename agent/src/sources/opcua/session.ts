import type { OpcuaPoint, OpcuaProfile } from "@tidegate/profiles";
import {
  type ClientSession,
  type DataValue,
  makeBrowsePath,
  type NodeId,
  resolveNodeId,
} from "node-opcua-client";
import type { DataValueLike } from "./readings.js";

/** A point bound to a node on this connection, or why it could not be. */
export type Binding = { point: OpcuaPoint; nodeId: NodeId } | { point: OpcuaPoint; error: string };

// Characters with a meaning in a relative path (OPC UA Part 4, A.2), escaped with '&'.
const escapeName = (name: string) => name.replace(/[&/.<>:#!]/g, (c) => `&${c}`);

/**
 * Every point's node on this connection. Namespace indexes come from the server's NamespaceArray
 * and browse paths are translated anew: both may differ after a server restart.
 */
export async function bindPoints(session: ClientSession, profile: OpcuaProfile): Promise<Binding[]> {
  const namespaces = await session.readNamespaceArray();
  const bindings: Binding[] = [];
  const byPath: { point: OpcuaPoint; path: string }[] = [];
  for (const point of profile.points) {
    const uri = point.namespace ?? profile.namespace;
    const ns = namespaces.indexOf(uri);
    if (ns < 0) {
      bindings.push({ point, error: `BadNamespaceUnknown: the server has no namespace ${uri}` });
      continue;
    }
    if (point.nodeId) {
      bindings.push({ point, nodeId: resolveNodeId(`ns=${ns};${point.nodeId}`) });
      continue;
    }
    const path = (point.browsePath as string)
      .split("/")
      .map((seg) => (seg.startsWith("0:") ? `/0:${escapeName(seg.slice(2))}` : `/${ns}:${escapeName(seg)}`))
      .join("");
    byPath.push({ point, path });
  }
  if (byPath.length > 0) {
    const results = await session.translateBrowsePath(byPath.map((b) => makeBrowsePath("i=85", b.path)));
    results.forEach((r, i) => {
      const { point } = byPath[i] as { point: OpcuaPoint };
      const target = r.targets?.[0];
      if (r.statusCode.isGood() && target)
        bindings.push({ point, nodeId: target.targetId as unknown as NodeId });
      else bindings.push({ point, error: `${r.statusCode.name}: browse path ${point.browsePath} not found` });
    });
  }
  return bindings;
}

export function asDataValueLike(dv: DataValue): DataValueLike {
  return {
    value: dv.value?.value,
    statusName: dv.statusCode.name,
    sourceTimestamp: dv.sourceTimestamp,
    serverTimestamp: dv.serverTimestamp,
  };
}
