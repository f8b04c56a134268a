import type { AgentStatus } from "@tidegate/protocol";
import { formatDuration } from "../format.js";
import { t } from "../i18n.js";
import { TopBar } from "../TopBar.js";

/** Gateway identity; the uplink and buffer have their own panel (UplinkPanel). */
export function AgentHeader({ gateway, status }: { gateway: string; status: AgentStatus | undefined }) {
  return (
    <TopBar
      title={
        <>
          <h1 data-testid="gateway-id">{status?.gateway ?? gateway}</h1>
          {status && (
            <span class="muted small">
              {t.version(status.version)} · {t.uptime(formatDuration(status.uptimeS * 1000))}
            </span>
          )}
        </>
      }
    />
  );
}
