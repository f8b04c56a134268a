import { z } from "zod";
import { parseWire } from "./wire-error.js";

/**
 * Collectors announce which batch wire versions they read in this JetStream key-value bucket.
 * JetStream acknowledges a batch when it is stored, not when a collector has read it, so an agent
 * must know before publishing that a collector can read what it sends; otherwise it keeps
 * buffering and says why.
 */
export const TIDEGATE_KV_BUCKET = "tidegate";
export const COLLECTOR_WIRE_KEY = "collector-wire";

export const collectorWireSchema = z.object({
  v: z.literal(1),
  /** Oldest and newest batch wire versions the collector reads. */
  min: z.number().int().positive(),
  max: z.number().int().positive(),
  collectorVersion: z.string(),
  at: z.number().int(),
});
export type CollectorWire = z.infer<typeof collectorWireSchema>;

export const encodeCollectorWire = (w: CollectorWire): Uint8Array =>
  new TextEncoder().encode(JSON.stringify(w));
export const decodeCollectorWire = (data: Uint8Array | string): CollectorWire =>
  parseWire(collectorWireSchema, data, "collector wire announcement");

/** Why an agent writing `sends` cannot publish to collectors that announced `wire`, or undefined if it can. */
export function wireMismatch(sends: number, wire: CollectorWire | undefined): string | undefined {
  if (!wire || (sends >= wire.min && sends <= wire.max)) return undefined;
  const reads = wire.min === wire.max ? `version ${wire.min}` : `versions ${wire.min}–${wire.max}`;
  const fix = sends > wire.max ? "upgrade the collector" : "upgrade this agent";
  return `the collector (${wire.collectorVersion}) reads batch wire ${reads}; this agent sends version ${sends}: ${fix}. Readings stay in the buffer until then.`;
}
