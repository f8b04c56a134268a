import { formatDuration } from "../format.js";

/**
 * How far a gateway's clock stepped, signed: "+1 h" ahead, "−45 s" back. The collector measures
 * the step with a little delivery jitter, so it is shown to the nearest minute (second, under a
 * minute): a clock set back an hour reads "−1 h", not "−59 min".
 */
export function clockJumpBy(ms: number): string {
  const size = Math.abs(ms);
  const unit = size >= 60_000 ? 60_000 : 1000;
  return `${ms < 0 ? "−" : "+"}${formatDuration(Math.round(size / unit) * unit)}`;
}
