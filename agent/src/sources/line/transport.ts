import type { LineProfile } from "@tidegate/profiles";
import { z } from "zod";

/** A line-printing device on its own serial port. Settings left out come from the profile's defaults. */
export const serialTransportSchema = z
  .object({
    type: z.literal("serial"),
    port: z
      .string()
      .min(1)
      .describe("serial device; prefer the stable /dev/serial/by-id/... path over /dev/ttyUSB0"),
    baudRate: z.number().int().positive().optional(),
    parity: z.enum(["none", "even", "odd"]).optional(),
    dataBits: z.union([z.literal(7), z.literal(8)]).optional(),
    stopBits: z.union([z.literal(1), z.literal(2)]).optional(),
  })
  .strict();
export type SerialTransport = z.infer<typeof serialTransportSchema>;

export interface SerialSettings {
  path: string;
  baudRate: number;
  parity: "none" | "even" | "odd";
  dataBits: 7 | 8;
  stopBits: 1 | 2;
}

/** The port settings to open with: the device's own, else the profile's. */
export function serialSettings(transport: SerialTransport, profile: LineProfile): SerialSettings {
  const d = profile.defaults;
  return {
    path: transport.port,
    baudRate: transport.baudRate ?? d.baudRate,
    parity: transport.parity ?? d.parity,
    dataBits: transport.dataBits ?? d.dataBits,
    stopBits: transport.stopBits ?? d.stopBits,
  };
}
