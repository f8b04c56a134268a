import { z } from "zod";
import { gatewayIdSchema } from "./reading.js";
import { parseWire } from "./wire-error.js";

/**
 * What a gateway reads, with names and units from its device profiles: the collector's point
 * catalog (charts label axes with it). Kept in the `tidegate` JetStream KV bucket under
 * `catalog.<gateway>`, so a collector that starts later still finds it; an agent puts it when it
 * changes (start, a config change), not with every heartbeat.
 */
export const catalogKey = (gateway: string) => `catalog.${gateway}`;

export const catalogSchema = z.object({
  v: z.literal(1),
  gateway: gatewayIdSchema,
  at: z.number().int(),
  devices: z.array(
    z.object({
      id: z.string().min(1),
      profile: z.string().min(1),
      points: z.array(
        z.object({
          id: z.string().min(1),
          name: z.string(),
          unit: z.string().optional(),
          /** Digits after the point worth showing (from the profile's scale or decimals). */
          decimals: z.number().int().min(0).max(9).optional(),
          /** A read-write setting rather than a measurement. */
          writable: z.boolean().optional(),
        }),
      ),
    }),
  ),
});
export type Catalog = z.infer<typeof catalogSchema>;

export const encodeCatalog = (c: Catalog): Uint8Array => new TextEncoder().encode(JSON.stringify(c));
export const decodeCatalog = (data: Uint8Array | string): Catalog =>
  parseWire(catalogSchema, data, "point catalog");
