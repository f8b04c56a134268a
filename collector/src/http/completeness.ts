import type { GatewayRow } from "../store/types.js";

export interface Completeness {
  max: number;
  stored: number;
  /** Seqs at or below max that the agent reported dropped (buffer bounds). */
  dropped: number;
  /** Seqs at or below max neither stored nor reported dropped: in flight, or lost. */
  missing: number;
}

/** From outside: once a gateway's backlog drains, stored + dropped must equal its committed seq. */
export function completeness(g: GatewayRow): Completeness {
  let dropped = 0;
  for (const [first, last] of g.heartbeat?.droppedRanges ?? []) {
    if (first <= g.maxSeq) dropped += Math.min(last, g.maxSeq) - first + 1;
  }
  return { max: g.maxSeq, stored: g.stored, dropped, missing: Math.max(0, g.maxSeq - g.stored - dropped) };
}
