import { z } from "zod";
import { pointBaseShape, profileIdSchema, profileSourceSchema } from "./schema.js";

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
  })
  .strict();
export type LinePoint = z.infer<typeof linePointSchema>;

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
      })
      .strict()
      .default({ baudRate: 9600, parity: "none", dataBits: 8, stopBits: 1, delimiter: "\r\n" }),
    format: lineFormatSchema,
    points: z.array(linePointSchema).min(1),
    /** Lines from the manual and the values they must parse to. */
    testdata: z
      .array(
        z
          .object({
            line: z.string(),
            values: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();
export type LineProfile = z.infer<typeof lineProfileSchema>;
