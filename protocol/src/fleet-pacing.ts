import { z } from "zod";
import { parseWire } from "./wire-error.js";

/**
 * How a fleet paces its redials, announced by the collector in the settings bucket
 * (TIDEGATE_KV_BUCKET) under this key. Only the collector knows how many gateways share a server;
 * each agent holds its first redial after a loss within `spreadMs`, so the fleet's redials arrive
 * at about FLEET_DIALS_PER_S whatever its size, up to the window's cap.
 */
export const FLEET_PACING_KEY = "fleet-pacing";

/** The redial rate a fleet that lost its server together aims for at the server, in dials/s. */
export const FLEET_DIALS_PER_S = 67;
const MIN_SPREAD_MS = 250;
/** Half the agents' 30 s backoff cap: the steps after the first then hold the same rate. */
const MAX_SPREAD_MS = 15_000;

export const fleetPacingSchema = z.object({
  v: z.literal(1),
  /** Gateways the collector knows. */
  gateways: z.number().int().nonnegative(),
  /** The window an agent's first redial after a loss is held within. */
  spreadMs: z.number().int().nonnegative(),
  at: z.number().int(),
});
export type FleetPacing = z.infer<typeof fleetPacingSchema>;

/** The spread window for a fleet of `gateways`: 250 ms for a few, 15 s from a thousand on. */
export function spreadForFleet(gateways: number): number {
  return Math.round(Math.min(MAX_SPREAD_MS, Math.max(MIN_SPREAD_MS, (gateways / FLEET_DIALS_PER_S) * 1000)));
}

export const encodeFleetPacing = (p: FleetPacing): Uint8Array => new TextEncoder().encode(JSON.stringify(p));
export const decodeFleetPacing = (data: Uint8Array | string): FleetPacing =>
  parseWire(fleetPacingSchema, data, "fleet pacing announcement");
