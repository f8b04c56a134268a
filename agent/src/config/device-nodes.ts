import { type AnyProfile, type OpcuaProfile, opcuaProfileSchema } from "@tidegate/profiles";
import type { DeviceConfig } from "./schema.js";

/**
 * The profile an OPC UA device's own `nodes:` make (devices added from the address-space browser):
 * named by the device's `profile`, so everything downstream finds it the way it finds a bundled one.
 * Each node names its namespace by URI, as the browser writes them: there is no profile-wide default.
 */
export function profileOfNodes(
  device: DeviceConfig,
  known: ReadonlyMap<string, AnyProfile>,
): { profile: OpcuaProfile } | { problem: string; path: (string | number)[] } {
  const nodes = device.nodes ?? [];
  if (device.transport.type !== "opcua")
    return {
      problem: `nodes: are for OPC UA devices; a ${device.transport.type} device reads its profile's points`,
      path: ["nodes"],
    };
  if (known.has(device.profile))
    return {
      problem: `'${device.profile}' is a profile already; a device with nodes: makes a profile of its own, so give it an id no profile has (e.g. local/${device.id})`,
      path: ["profile"],
    };
  const unnamed = nodes.findIndex((n) => n.namespace === undefined);
  if (unnamed >= 0)
    return {
      problem: "namespace: each node names its namespace URI (e.g. urn:plc:machine)",
      path: ["nodes", unnamed, "namespace"],
    };
  const parsed = opcuaProfileSchema.safeParse({
    kind: "opcua",
    id: device.profile,
    vendor: "(this gateway)",
    model: device.id,
    source: {
      title: `nodes picked from ${device.transport.endpoint}`,
      url: "https://reference.opcfoundation.org/Core/Part3/v105/docs/",
    },
    namespace: nodes[0]?.namespace,
    points: nodes,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path ?? [];
    return {
      problem: `${path.join(".") || "profile"}: ${issue?.message ?? "invalid"}`,
      path:
        path[0] === "points"
          ? ["nodes", ...path.slice(1).map((p) => (typeof p === "symbol" ? String(p) : p))]
          : ["profile"],
    };
  }
  return { profile: parsed.data };
}
