import { formatDuration } from "../format.js";

/** How far a gateway's clock stepped, signed: "+1 h" ahead, "−45 s" back. */
export function clockJumpBy(ms: number): string {
  return `${ms < 0 ? "−" : "+"}${formatDuration(Math.abs(ms))}`;
}
