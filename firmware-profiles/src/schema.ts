import { pointIdSchema } from "@tidegate/protocol";
import { z } from "zod";
import { checkPointBlocks, pointBlockSchema, profileSourceSchema } from "./source.js";
import { checkSunspecPoints, sunspecSchema } from "./sunspec.js";

export { profileSourceSchema };

export const registerTables = ["holding", "input", "coil", "discrete"] as const;
export const registerTypes = [
  "int16",
  "uint16",
  "int32",
  "uint32",
  "int64",
  "uint64",
  "float32",
  "float64",
  "bool",
  "string",
] as const;
/** Byte order of a multi-register value, as letters of the big-endian bytes A (most significant) .. D. */
export const wordOrders = ["ABCD", "DCBA", "BADC", "CDAB"] as const;

export const registerTableSchema = z.enum(registerTables);
export const registerTypeSchema = z.enum(registerTypes);
export const wordOrderSchema = z.enum(wordOrders);
export type RegisterTable = z.infer<typeof registerTableSchema>;
export type RegisterType = z.infer<typeof registerTypeSchema>;
export type WordOrder = z.infer<typeof wordOrderSchema>;

const REF_TABLES: Record<string, RegisterTable> = {
  "0": "coil",
  "1": "discrete",
  "3": "input",
  "4": "holding",
};

/**
 * A manual's register reference (40001, 30001, 400001, …) as table and 0-based protocol address.
 * The first digit names the table, the rest counts from 1: 40001 is holding address 0.
 */
export function fromManualRef(ref: string): { table: RegisterTable; address: number } | string {
  if (!/^[0134]\d{4,5}$/.test(ref))
    return `'${ref}' is not a manual reference: expected 5 or 6 digits starting with 0 (coil), 1 (discrete), 3 (input) or 4 (holding), like 40001`;
  const n = Number(ref.slice(1));
  if (n < 1 || n > 65536) return `'${ref}' is outside the references 1..65536 of its table`;
  return { table: REF_TABLES[ref[0] as string] as RegisterTable, address: n - 1 };
}

export const registerSchema = z
  .object({
    table: registerTableSchema.optional().describe("may be left out when `ref` gives it"),
    address: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .optional()
      .describe("0-based protocol address (manual's 30001 is input address 0)"),
    ref: z
      .string()
      .optional()
      .describe(
        'the manual\'s notation instead of table+address: "40001" is holding address 0, "30013" input 12',
      ),
    type: registerTypeSchema,
    order: wordOrderSchema.default("ABCD"),
    bit: z.number().int().min(0).max(15).optional().describe("for type bool in a holding/input register"),
    length: z.number().int().min(1).max(125).optional().describe("registers, for type string"),
    model: z
      .number()
      .int()
      .min(1)
      .max(65534)
      .optional()
      .describe(
        "a SunSpec model id instead of table+address: the register is found by walking the device's model chain (profile `sunspec:`)",
      ),
    offset: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .optional()
      .describe("with model: registers after the model's ID and L (the first point of a model is offset 0)"),
    repeat: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe("with model: which repeating block (1 = the first) the offset counts in"),
  })
  .strict()
  .transform((r, ctx) => {
    const { ref, ...rest } = r;
    let table = r.table;
    let address = r.address;
    if (r.model !== undefined) return sunspecRegister(r, ctx);
    if (r.offset !== undefined || r.repeat !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["offset"],
        message: "offset and repeat need model (a SunSpec model id)",
      });
    if (ref !== undefined) {
      const parsed = fromManualRef(ref);
      if (typeof parsed === "string") {
        ctx.addIssue({ code: "custom", path: ["ref"], message: parsed });
        return z.NEVER;
      }
      if (address !== undefined)
        ctx.addIssue({ code: "custom", path: ["address"], message: "give either address or ref, not both" });
      if (table !== undefined && table !== parsed.table)
        ctx.addIssue({
          code: "custom",
          path: ["table"],
          message: `ref ${ref} is a ${parsed.table} reference, but table says ${table}`,
        });
      ({ table, address } = parsed);
    }
    if (table === undefined || address === undefined) {
      ctx.addIssue({
        code: "custom",
        path: [],
        message: "needs table and address (0-based), or ref (manual notation)",
      });
      return z.NEVER;
    }
    const bitTable = table === "coil" || table === "discrete";
    if (bitTable && r.type !== "bool")
      ctx.addIssue({
        code: "custom",
        path: ["type"],
        message: `a ${table} holds one bit: type must be bool`,
      });
    if (!bitTable && r.type === "bool" && r.bit === undefined)
      ctx.addIssue({ code: "custom", path: ["bit"], message: "a bool in a register needs bit: 0..15" });
    if (r.type === "string" && r.length === undefined)
      ctx.addIssue({ code: "custom", path: ["length"], message: "a string needs length (registers)" });
    return { ...rest, table, address };
  });
export type RegisterSpec = z.infer<typeof registerSchema>;

/**
 * A register of a SunSpec model: holding, at an address known only once the device's chain is
 * walked. Until then `address` holds the offset, so nothing may read it before resolving.
 */
function sunspecRegister(
  r: {
    table?: RegisterTable | undefined;
    address?: number | undefined;
    ref?: string | undefined;
    type: RegisterType;
    order: WordOrder;
    bit?: number | undefined;
    length?: number | undefined;
    model?: number | undefined;
    offset?: number | undefined;
    repeat?: number | undefined;
  },
  ctx: z.RefinementCtx,
) {
  const { ref, table, address, offset, ...rest } = r;
  if (ref !== undefined || address !== undefined)
    ctx.addIssue({
      code: "custom",
      path: ["model"],
      message:
        "a SunSpec point gives model and offset, not address or ref: its address is found on the device",
    });
  if (table !== undefined && table !== "holding")
    ctx.addIssue({ code: "custom", path: ["table"], message: "SunSpec models are holding registers" });
  if (offset === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["offset"],
      message: "a SunSpec point needs offset (registers after ID and L)",
    });
    return z.NEVER;
  }
  if (r.type === "string" && r.length === undefined)
    ctx.addIssue({ code: "custom", path: ["length"], message: "a string needs length (registers)" });
  if (r.type === "bool" && r.bit === undefined)
    ctx.addIssue({ code: "custom", path: ["bit"], message: "a bool in a register needs bit: 0..15" });
  return { ...rest, table: "holding" as const, address: offset, offset };
}

/** How the simulator animates a point; ignored by the agent. */
export const simulationSchema = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("sine"),
      min: z.number(),
      max: z.number(),
      periodS: z.number().positive().default(60),
      noise: z.number().nonnegative().default(0),
    })
    .strict(),
  z
    .object({
      kind: z.literal("walk"),
      start: z.number(),
      step: z.number().positive(),
      min: z.number(),
      max: z.number(),
    })
    .strict(),
  z.object({ kind: z.literal("counter"), start: z.number().default(0), ratePerS: z.number() }).strict(),
  z
    .object({
      kind: z.literal("step"),
      /** Held one after another, each for `everyS`, then from the start again (a setpoint schedule, a valve). */
      values: z.array(z.number()).min(1),
      everyS: z.number().positive().default(10),
    })
    .strict(),
  z.object({ kind: z.literal("constant"), value: z.union([z.number(), z.boolean(), z.string()]) }).strict(),
]);
export type Simulation = z.infer<typeof simulationSchema>;

/** What every point has, whatever the protocol: the kinds add where its value comes from. */
export const pointBaseShape = {
  id: pointIdSchema,
  name: z.string(),
  unit: z.string().optional(),
  description: z.string().optional(),
  scale: z.number().default(1).describe("value = raw * scale + offset"),
  offset: z.number().default(0),
  decimals: z
    .number()
    .int()
    .min(0)
    .max(9)
    .optional()
    .describe("digits after the point when shown; by default from the scale (0.1 shows 1 digit)"),
  simulate: simulationSchema.optional(),
  block: pointBlockSchema,
};

export const pointSchema = z
  .object({
    ...pointBaseShape,
    register: registerSchema,
    access: z.enum(["read", "readwrite"]).default("read"),
    min: z.number().optional(),
    max: z.number().optional(),
    scaleFactor: pointIdSchema
      .optional()
      .describe(
        "the id of an int16 point holding a power of ten (SunSpec's *_SF): value = raw × 10^factor × scale + offset, read in the same poll",
      ),
    notImplemented: z
      .number()
      .int()
      .optional()
      .describe(
        "the raw integer the device sends for 'no value' (SunSpec: 0x8000 for int16, 0xFFFF for uint16): read as a bad reading, never a value",
      ),
  })
  .strict();
export type PointSpec = z.infer<typeof pointSchema>;

/** Raw registers (or bits) taken from the manual and the values they must decode to. */
export const testdataSchema = z
  .object({
    point: z.string(),
    raw: z.array(z.number().int().min(0).max(65535)),
    value: z.union([z.number(), z.boolean(), z.string()]),
  })
  .strict();

/**
 * A register whose value is fixed by the manual for this model (a model code, a device type), read
 * by the commissioning scan to tell this profile from others that answer at the same unit id.
 */
export const identifySchema = z
  .object({
    name: z.string().optional().describe('what the register holds, e.g. "model code"'),
    register: registerSchema,
    equals: z.union([z.number(), z.string()]).describe("the value it holds on every device of this model"),
  })
  .strict();
export type IdentifySpec = z.infer<typeof identifySchema>;

/** The profile's point ids, with an issue for each repeat: readings are keyed by point id. */
export function uniquePointIds(points: readonly { id: string }[], ctx: z.RefinementCtx): Set<string> {
  const seen = new Set<string>();
  points.forEach((pt, i) => {
    if (seen.has(pt.id))
      ctx.addIssue({ code: "custom", path: ["points", i, "id"], message: `duplicate point id '${pt.id}'` });
    seen.add(pt.id);
  });
  return seen;
}

/** A profile's id is its path without extension: `<vendor>/<model>`. */
export const profileIdSchema = z
  .string()
  .regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, "expected <vendor>/<model>, lowercase");

/** Unused registers one coalesced read may span: a profile's default for its device, a device config's own. */
export const readGapSchema = z.number().int().min(0).max(124);

/** A Modbus device (TCP or RTU): registers, types and byte orders. Files without `kind` are Modbus profiles. */
export const profileSchema = z
  .object({
    kind: z.literal("modbus").default("modbus"),
    id: profileIdSchema,
    vendor: z.string(),
    model: z.string(),
    firmware: z.string().optional().describe("firmware range the map applies to"),
    protocols: z.array(z.enum(["modbus-tcp", "modbus-rtu"])).min(1),
    source: profileSourceSchema,
    defaults: z
      .object({
        unitId: z.number().int().min(0).max(255).default(1),
        baudRate: z.number().int().optional(),
        maxRegisters: z
          .number()
          .int()
          .min(1)
          .max(125)
          .optional()
          .describe(
            "the most registers the device answers in one read (function 03/04), when its manual gives fewer than Modbus's 125: polls are planned within it",
          ),
        maxGap: readGapSchema
          .optional()
          .describe(
            "unused registers one read may span for this device (default 10): 0 for a device that refuses a read touching an address its tables do not list; a device's own maxGap overrides it",
          ),
      })
      .strict()
      .default({ unitId: 1 }),
    points: z.array(pointSchema).min(1),
    testdata: z.array(testdataSchema).default([]),
    identify: z
      .array(identifySchema)
      .optional()
      .describe("fixed identification registers: the scan ranks this profile first when they match"),
    sunspec: sunspecSchema.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    checkPointsAndTestdata(p, ctx);
    checkSunspecPoints(p, ctx);
  });

/**
 * What a profile whose testdata names one point per entry (Modbus, OPC UA) must hold together:
 * unique point ids, every point's block cited in source.blocks, every testdata entry a point.
 */
export function checkPointsAndTestdata(
  p: {
    source: z.infer<typeof profileSourceSchema>;
    points: readonly { id: string; block?: string | undefined }[];
    testdata: readonly { point: string }[];
  },
  ctx: z.RefinementCtx,
): void {
  const seen = uniquePointIds(p.points, ctx);
  checkPointBlocks(p, ctx);
  p.testdata.forEach((t, i) => {
    if (!seen.has(t.point))
      ctx.addIssue({
        code: "custom",
        path: ["testdata", i, "point"],
        message: `no point '${t.point}' in this profile`,
      });
  });
}
/** A Modbus device profile (the kind most code works with). */
export type Profile = z.infer<typeof profileSchema>;
export type ProfileInput = z.input<typeof profileSchema>;
