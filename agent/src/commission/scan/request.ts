import { z } from "zod";
import { parseSetting } from "./plan.js";

const unitIds = z
  .object({ from: z.number().int().min(1).max(247), to: z.number().int().min(1).max(247) })
  .strict()
  .refine((r) => r.from <= r.to, "unitIds.from must not be above unitIds.to");
const timeoutMs = z
  .number()
  .int()
  .min(10)
  .max(5000)
  .describe("answer time per unit id; default from the baud rate");

/** What a technician asks to scan: a serial port, or a Modbus TCP host (or an RS-485 gateway behind it). */
export const scanRequestSchema = z.union([
  z
    .object({
      serial: z.string().min(1).max(500),
      /** Narrow the sweep when the speed is known; default every one from 1200 to 115200. */
      bauds: z.array(z.number().int().positive()).min(1).optional(),
      framings: z
        .array(
          z
            .string()
            .refine(
              (f) => parseSetting(`9600 ${f}`) !== undefined,
              "framing must be like 8N1, 8E1, 8O1, 8N2",
            ),
        )
        .min(1)
        .optional(),
      unitIds: unitIds.optional(),
      timeoutMs: timeoutMs.optional(),
      identify: z.boolean().default(true).describe("rank the profiles for each device found"),
      /** Go on after a setting found devices (a bus normally has one setting). */
      allSettings: z.boolean().optional(),
      /**
       * The operator agrees that polling on this port pauses while other baud rates are swept (it
       * resumes after, also on failure or cancel). Without it a port that configured devices use
       * is scanned at their setting only, between their polls.
       */
      pausePolling: z.boolean().optional(),
    })
    .strict(),
  z
    .object({
      host: z.string().min(1).max(253),
      port: z.number().int().min(1).max(65_535).default(502),
      identify: z.boolean().default(true),
      unitIds: unitIds.optional(),
      timeoutMs: timeoutMs.optional(),
    })
    .strict(),
]);
export type ScanRequest = z.infer<typeof scanRequestSchema>;
export type ScanRequestInput = z.input<typeof scanRequestSchema>;

export const SCAN_REQUEST_HELP =
  'the body must be JSON: { serial: <port path>, bauds?, framings?: ["8N1", …], unitIds?: { from, to }, timeoutMs?, allSettings?, pausePolling? } or { host, port?, unitIds?, timeoutMs? }';
