import { z } from "zod";
import { pointBaseShape, profileIdSchema, profileSourceSchema } from "./schema.js";
import { checkPointBlocks } from "./source.js";

/**
 * Devices that print lines on a serial port: scales, gas analysers, GPS receivers (NMEA 0183).
 * The profile says how a line is cut into fields; each point names its field.
 */
export const lineFormatSchema = z.discriminatedUnion("type", [
  z
    .object({
      type: z.literal("csv"),
      separator: z.string().min(1).default(","),
      /** Field names in column order; points refer to them. Use "" for a column to ignore. */
      columns: z.array(z.string()).min(1),
    })
    .strict(),
  z
    .object({
      type: z.literal("keyvalue"),
      pairSeparator: z.string().min(1).default(","),
      kvSeparator: z.string().min(1).default("="),
    })
    .strict(),
  z
    .object({
      type: z.literal("regex"),
      /** A JavaScript regular expression with named groups; points name a group. */
      pattern: z.string().min(1),
      /** For the simulator only: the line to print, `{point}` or `{point:width.decimals}` per value. */
      simulateLine: z
        .string()
        .optional()
        .describe('simulator line template, e.g. "S {stable} {weight:10.2} g" (width right-aligns)'),
    })
    .strict(),
  z
    .object({
      type: z.literal("nmea"),
      /** Sentences read (e.g. GGA, RMC); others are ignored, not counted as errors. */
      sentences: z.array(z.string().regex(/^[A-Z]{3}$/)).min(1),
    })
    .strict(),
]);
export type LineFormat = z.infer<typeof lineFormatSchema>;

export const linePointSchema = z
  .object({
    ...pointBaseShape,
    /** Column name (csv), key (keyvalue), group name (regex), or `<sentence>.<field index>` (nmea, e.g. GGA.9). */
    field: z.string().min(1),
    type: z.enum(["number", "string", "bool"]).default("number"),
    nmea: z
      .enum(["latitude", "longitude"])
      .optional()
      .describe(
        "NMEA ddmm.mmmm (dddmm.mmmm) with N/S (E/W) in the next field, read as signed decimal degrees",
      ),
    boolText: z
      .object({ true: z.string().min(1), false: z.string().min(1) })
      .strict()
      .optional()
      .describe('for type bool: the texts the device prints, e.g. { true: "S", false: "D" }'),
    decimals: z
      .number()
      .int()
      .min(0)
      .max(12)
      .optional()
      .describe("decimals the device prints; the simulator formats with them, the agent reads any"),
  })
  .strict();
export type LinePoint = z.infer<typeof linePointSchema>;

const testValueSchema = z.union([z.number(), z.string(), z.boolean(), z.null()]);

/** `{point}` or `{point:10.2}` in a regex profile's simulateLine. */
export const simulateLinePlaceholder = /\{([A-Za-z0-9_-]+)(?::(\d+)(?:\.(\d+))?)?\}/g;

export const lineProfileSchema = z
  .object({
    kind: z.literal("serial-line"),
    id: profileIdSchema,
    vendor: z.string(),
    model: z.string(),
    firmware: z.string().optional(),
    protocols: z.array(z.literal("serial-line")).min(1).default(["serial-line"]),
    source: profileSourceSchema,
    defaults: z
      .object({
        baudRate: z.number().int().positive().default(9600),
        parity: z.enum(["none", "even", "odd"]).default("none"),
        dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
        stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
        /** What ends a line on the wire. */
        delimiter: z.string().min(1).default("\r\n"),
        lineGapMs: z
          .number()
          .int()
          .positive()
          .default(1000)
          .describe(
            "a pause this long inside a line means it was cut (device reset, cable glitch): its start is dropped",
          ),
      })
      .strict()
      .default({
        baudRate: 9600,
        parity: "none",
        dataBits: 8,
        stopBits: 1,
        delimiter: "\r\n",
        lineGapMs: 1000,
      }),
    format: lineFormatSchema,
    points: z.array(linePointSchema).min(1),
    /** Lines from the manual and the values they must parse to; null: that point reads as bad. */
    testdata: z
      .array(
        z
          .object({
            line: z.string(),
            values: z.record(z.string(), testValueSchema),
          })
          .strict(),
      )
      .default([]),
  })
  .strict()
  .superRefine((p, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: "custom", path, message });
    checkPointBlocks(p, ctx);
    const ids = new Set<string>();
    const groups = p.format.type === "regex" ? regexGroups(p.format.pattern, issue) : undefined;
    p.points.forEach((pt, i) => {
      if (ids.has(pt.id)) issue(["points", i, "id"], `duplicate point id '${pt.id}'`);
      ids.add(pt.id);
      const problem = fieldProblem(p.format, pt.field, groups);
      if (problem) issue(["points", i, "field"], problem);
      if (pt.nmea && (p.format.type !== "nmea" || pt.type !== "number"))
        issue(["points", i, "nmea"], "nmea latitude/longitude needs format nmea and type number");
      if (pt.boolText && pt.type !== "bool") issue(["points", i, "boolText"], "boolText needs type bool");
    });
    p.testdata.forEach((t, i) => {
      for (const key of Object.keys(t.values))
        if (!ids.has(key)) issue(["testdata", i, "values", key], `no point '${key}' in this profile`);
    });
    if (p.format.type === "regex" && p.format.simulateLine) {
      for (const [, id] of p.format.simulateLine.matchAll(simulateLinePlaceholder))
        if (!ids.has(id as string)) issue(["format", "simulateLine"], `no point '${id}' in this profile`);
    }
  });
export type LineProfile = z.infer<typeof lineProfileSchema>;
export type LineProfileInput = z.input<typeof lineProfileSchema>;

function regexGroups(pattern: string, issue: (path: string[], message: string) => void): Set<string> {
  try {
    new RegExp(pattern);
  } catch (err) {
    issue(["format", "pattern"], `not a valid regular expression: ${(err as Error).message}`);
    return new Set();
  }
  return new Set([...pattern.matchAll(/\(\?<([A-Za-z_$][\w$]*)>/g)].map((m) => m[1] as string));
}

function fieldProblem(
  format: LineFormat,
  field: string,
  groups: Set<string> | undefined,
): string | undefined {
  switch (format.type) {
    case "csv":
      return format.columns.includes(field) ? undefined : `no column '${field}' in format.columns`;
    case "regex":
      return groups?.has(field) ? undefined : `no named group (?<${field}>...) in format.pattern`;
    case "nmea": {
      const m = /^([A-Z]{3})\.([1-9]\d*)$/.exec(field);
      if (!m) return "expected <sentence>.<field number>, e.g. GGA.9";
      return format.sentences.includes(m[1] as string)
        ? undefined
        : `sentence ${m[1]} is not in format.sentences`;
    }
    case "keyvalue":
      return undefined;
  }
}
