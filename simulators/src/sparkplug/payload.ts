import protobuf from "protobufjs";

/**
 * The simulator's own Sparkplug B encoder, so a bug in the agent's codec (@bufbuild/protobuf over
 * the generated code) cannot cancel out in the e2e tests: protobufjs by reflection, over the few
 * messages an edge node sends, with the field numbers and types of the spec's sparkplug_b.proto
 * (Sparkplug 3.0, chapter 6).
 */

const valueFields = (first: number) => ({
  intValue: { type: "uint32", id: first },
  longValue: { type: "uint64", id: first + 1 },
  floatValue: { type: "float", id: first + 2 },
  doubleValue: { type: "double", id: first + 3 },
  booleanValue: { type: "bool", id: first + 4 },
  stringValue: { type: "string", id: first + 5 },
});
const valueOneof = {
  value: { oneof: ["intValue", "longValue", "floatValue", "doubleValue", "booleanValue", "stringValue"] },
};

const root = protobuf.Root.fromJSON({
  nested: {
    org: {
      nested: {
        eclipse: {
          nested: {
            tahu: {
              nested: {
                protobuf: {
                  nested: {
                    Payload: {
                      fields: {
                        timestamp: { type: "uint64", id: 1 },
                        metrics: { rule: "repeated", type: "Metric", id: 2 },
                        seq: { type: "uint64", id: 3 },
                      },
                      nested: {
                        Metric: {
                          oneofs: valueOneof,
                          fields: {
                            name: { type: "string", id: 1 },
                            alias: { type: "uint64", id: 2 },
                            timestamp: { type: "uint64", id: 3 },
                            datatype: { type: "uint32", id: 4 },
                            isHistorical: { type: "bool", id: 5 },
                            isNull: { type: "bool", id: 7 },
                            properties: { type: "PropertySet", id: 9 },
                            ...valueFields(10),
                          },
                        },
                        PropertySet: {
                          fields: {
                            keys: { rule: "repeated", type: "string", id: 1 },
                            values: { rule: "repeated", type: "PropertyValue", id: 2 },
                          },
                        },
                        PropertyValue: {
                          oneofs: valueOneof,
                          fields: {
                            type: { type: "uint32", id: 1 },
                            isNull: { type: "bool", id: 2 },
                            ...valueFields(3),
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
});
const Payload = root.lookupType("org.eclipse.tahu.protobuf.Payload");

/** Sparkplug datatypes the simulator sends. */
export const SPARKPLUG_TYPE = { UInt64: 8, Double: 10, Boolean: 11, String: 12 } as const;

/** Plain object in protobufjs's field names (camelCase) to wire bytes. */
export function encodeSparkplug(payload: Record<string, unknown>): Buffer {
  return Buffer.from(Payload.encode(Payload.fromObject(payload)).finish());
}

export function decodeSparkplug(bytes: Uint8Array): {
  seq?: string;
  metrics?: { name?: string; booleanValue?: boolean }[];
} {
  return Payload.toObject(Payload.decode(bytes), { longs: String }) as ReturnType<typeof decodeSparkplug>;
}
