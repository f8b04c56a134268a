import type { GatewayEntry } from "@tidegate/protocol";
import { t } from "../i18n.js";
import { clockJumpBy } from "./clock-jump.js";

/**
 * Flags a gateway whose clock stepped between two heartbeats; the collector keeps the latest jump
 * of the last 24 h. Readings keep the gateway's time, so the hint says which ones to doubt.
 */
export function ClockJumpBadge({ jump }: { jump: GatewayEntry["clockJump"] }) {
  if (!jump) return null;
  return (
    <span
      class="badge badge-warn"
      data-testid="clock-jump"
      data-ms={jump.ms}
      title={t.clockJumpHint(new Date(jump.at).toLocaleString())}
    >
      {t.clockJump(clockJumpBy(jump.ms))}
    </span>
  );
}
