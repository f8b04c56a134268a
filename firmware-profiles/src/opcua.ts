import { z } from "zod";
import { checkPointsAndTestdata, pointBaseShape, profileIdSchema, profileSourceSchema } from "./schema.js";

/**
 * Machines read over OPC UA (PLCs: S7-1500, Beckhoff, B&R…). A point names its variable by NodeId
 * or by browse path, and its namespace by URI, never by index: a server numbers its namespaces as
 * it loads them, so index 3 on one machine may be index 4 on the next (or after a restart), while
 * the URI stays. The agent looks the index up in the server's NamespaceArray when it connects.
 */

/** The identifier part of a NodeId without its namespace: `i=1001`, `s=Line1.Speed`, `g=…`, `b=…`. */
export const opcuaIdentifierSchema = z.string().regex(/^(i=\d+|s=.+|g=[0-9a-fA-F-]{36}|b=[A-Za-z0-9+/=]+)$/, {
  message: "expected i=<number>, s=<string>, g=<guid> or b=<base64>, e.g. s=Machine.Speed",
});

/**
 * A browse path from the Objects folder: browse names joined by `/`, each in the point's namespace,
 * or in namespace 0 (the standard's own nodes) when written `0:Name`.
 */
export const opcuaBrowsePathSchema = z
  .string()
  .min(1)
  .refine((p) => p.split("/").every((s) => s.length > 0 && s !== "0:"), {
    message: "browse names joined by '/', none empty, e.g. Machine/Spindle/Speed",
  });

export const opcuaValueTypes = ["number", "boolean", "string", "datetime"] as const;

export const opcuaPointSchema = z
  .object({
    ...pointBaseShape,
    /** The variable's identifier in `namespace`; give this or `browsePath`. */
    nodeId: opcuaIdentifierSchema.optional(),
    /** From the Objects folder, resolved when the agent connects and after every reconnect. */
    browsePath: opcuaBrowsePathSchema.optional(),
    namespace: z
      .string()
      .min(1)
      .optional()
      .describe("namespace URI of the node; default the profile's `namespace`"),
    type: z
      .enum(opcuaValueTypes)
      .default("number")
      .describe("datetime values become milliseconds since 1970 (UTC)"),
    /** For an array variable: the element read (0-based). */
    index: z.number().int().min(0).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if ((p.nodeId === undefined) === (p.browsePath === undefined))
      ctx.addIssue({ code: "custom", path: ["nodeId"], message: "give either nodeId or browsePath" });
  });
export type OpcuaPoint = z.infer<typeof opcuaPointSchema>;

const variantValue = z.union([
  z.number(),
  z.boolean(),
  z.string(),
  z.array(z.union([z.number(), z.boolean(), z.string()])),
]);

export const opcuaProfileSchema = z
  .object({
    kind: z.literal("opcua"),
    id: profileIdSchema,
    vendor: z.string(),
    model: z.string(),
    firmware: z.string().optional(),
    protocols: z.array(z.literal("opcua")).min(1).default(["opcua"]),
    source: profileSourceSchema,
    namespace: z.string().min(1).describe("namespace URI of the points that do not name their own"),
    points: z.array(opcuaPointSchema).min(1),
    /** Values as the server sends them (a DateTime as an ISO string) and what they must become. */
    testdata: z
      .array(
        z
          .object({
            point: z.string(),
            variant: variantValue,
            value: z.union([z.number(), z.boolean(), z.string()]),
          })
          .strict(),
      )
      .default([]),
  })
  .strict()
  // The same checks as a Modbus profile's, the cited blocks included.
  .superRefine(checkPointsAndTestdata);
export type OpcuaProfile = z.infer<typeof opcuaProfileSchema>;

/** The point's namespace URI: its own, else the profile's. */
export function opcuaNamespace(profile: OpcuaProfile, point: OpcuaPoint): string {
  return point.namespace ?? profile.namespace;
}

/**
 * What a variable's value becomes as a reading, or a string saying why it cannot: the array element
 * by index, DateTime as epoch milliseconds, numbers scaled. Shared by the agent and the profile
 * tests so testdata checks the same decoding the agent runs.
 */
export function opcuaReadingValue(
  point: OpcuaPoint,
  raw: unknown,
): { value: number | boolean | string } | { error: string } {
  let v = raw;
  if (point.index !== undefined) {
    if (!Array.isArray(v) && !ArrayBuffer.isView(v)) return { error: "not-an-array" };
    const arr = v as ArrayLike<unknown>;
    if (point.index >= arr.length) return { error: "index-out-of-range" };
    v = arr[point.index];
  } else if (Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) {
    return { error: "array-without-index" };
  }
  switch (point.type) {
    case "number": {
      const n = typeof v === "bigint" ? Number(v) : v;
      if (typeof n !== "number" || !Number.isFinite(n)) return { error: "not-a-number" };
      return { value: n * point.scale + point.offset };
    }
    case "boolean":
      return typeof v === "boolean" ? { value: v } : { error: "not-a-boolean" };
    case "string":
      return typeof v === "string" ? { value: v } : { error: "not-a-string" };
    case "datetime": {
      const ms = v instanceof Date ? v.getTime() : typeof v === "string" ? Date.parse(v) : Number.NaN;
      return Number.isFinite(ms) ? { value: ms } : { error: "not-a-datetime" };
    }
  }
}
