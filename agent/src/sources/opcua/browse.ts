import type { OpcuaBrowsedNode } from "@tidegate/protocol";
import {
  AttributeIds,
  BrowseDirection,
  type ClientSession,
  DataType,
  NodeClass,
  NodeClassMask,
  resolveNodeId,
} from "node-opcua-client";

/** One node under the browsed one, as the technician page shows it. */
export type BrowsedNode = OpcuaBrowsedNode;

/** A browse the caller got wrong (400), or one the server cannot answer now (503). */
export class BrowseError extends Error {
  override name = "BrowseError";
  constructor(
    message: string,
    readonly status: 400 | 503 = 400,
  ) {
    super(message);
  }
}

/** Folders, objects and variables under `node` (hierarchical references, forward), with each variable's type, access and value. */
export async function browseNode(session: ClientSession, node: string): Promise<BrowsedNode[]> {
  let nodeId: ReturnType<typeof resolveNodeId>;
  try {
    nodeId = resolveNodeId(node);
  } catch {
    throw new BrowseError(`'${node}' is not a NodeId: expected e.g. i=85, ns=2;s=Machine.Speed`);
  }
  const result = await session.browse({
    nodeId,
    browseDirection: BrowseDirection.Forward,
    referenceTypeId: "HierarchicalReferences",
    includeSubtypes: true,
    nodeClassMask: NodeClassMask.Object | NodeClassMask.Variable,
    resultMask: 0x3f,
  });
  if (!result.statusCode.isGood()) throw new BrowseError(`browse ${node}: ${result.statusCode.name}`);
  const namespaces = await session.readNamespaceArray();
  const refs = result.references ?? [];
  const variables = refs.filter((r) => r.nodeClass === NodeClass.Variable);
  const attrs = [AttributeIds.DataType, AttributeIds.AccessLevel, AttributeIds.Value];
  const read =
    variables.length === 0
      ? []
      : await session.read(
          variables.flatMap((v) => attrs.map((attributeId) => ({ nodeId: v.nodeId, attributeId }))),
        );
  return refs.map((r) => {
    const out: BrowsedNode = {
      nodeId: r.nodeId.toString(),
      browseName: r.browseName.name ?? "",
      displayName: r.displayName.text ?? "",
      nodeClass: NodeClass[r.nodeClass] ?? String(r.nodeClass),
      namespaceUri: namespaces[r.nodeId.namespace],
      browseNamespaceUri: namespaces[r.browseName.namespaceIndex],
    };
    const at = variables.indexOf(r);
    if (at < 0) return out;
    const [type, access, value] = read.slice(at * 3, at * 3 + 3);
    const typeId = type?.value.value as { namespace: number; value: unknown } | undefined;
    if (typeId && typeId.namespace === 0 && typeof typeId.value === "number")
      out.dataType = DataType[typeId.value] ?? `i=${typeId.value}`;
    const level = access?.value.value;
    if (typeof level === "number") out.accessLevel = { read: (level & 1) !== 0, write: (level & 2) !== 0 };
    if (value) {
      out.statusCode = value.statusCode.name;
      const v = value.value.value;
      out.value = ArrayBuffer.isView(v)
        ? Array.from(v as unknown as ArrayLike<number>)
        : v instanceof Date
          ? v.toISOString()
          : v;
    }
    return out;
  });
}
