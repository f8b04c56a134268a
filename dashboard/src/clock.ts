import { useEffect, useState } from "preact/hooks";

/**
 * Ages are computed against the server's clock, not the browser's: a phone and an offline
 * Raspberry Pi can disagree by minutes. The offset comes from the HTTP Date header (1 s
 * resolution), so small differences are ignored rather than made jittery.
 */
const IGNORE_BELOW_MS = 3000;
let offsetMs = 0;

/** Server clock minus browser clock, or 0 when the header is missing or the difference is small. */
export function estimateOffset(dateHeader: string | null, sentAt: number, receivedAt: number): number {
  if (!dateHeader) return 0;
  const server = Date.parse(dateHeader);
  if (Number.isNaN(server)) return 0;
  // The header is truncated to whole seconds: +500 ms centres the estimate.
  const offset = server + 500 - (sentAt + receivedAt) / 2;
  return Math.abs(offset) < IGNORE_BELOW_MS ? 0 : Math.round(offset);
}

export function noteServerDate(dateHeader: string | null, sentAt: number, receivedAt: number): void {
  if (dateHeader) offsetMs = estimateOffset(dateHeader, sentAt, receivedAt);
}

/** Current time on the server's clock, in ms. */
export function serverNow(): number {
  return Date.now() + offsetMs;
}

/** Re-renders every `ms` so ages keep counting even when polling fails. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(serverNow);
  useEffect(() => {
    const id = setInterval(() => setNow(serverNow()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}
