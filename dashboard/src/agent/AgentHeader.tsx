import type { AgentStatus } from "../api.js";
import { describeError, formatDuration, formatNumber } from "../format.js";
import { t } from "../i18n.js";

/** Gateway identity, uplink state and store-and-forward backlog. */
export function AgentHeader({ gateway, status }: { gateway: string; status: AgentStatus | undefined }) {
  const uplink = status?.uplink;
  const buffer = status?.buffer;
  const dropped = buffer ? Object.entries(buffer.dropped ?? {}).filter(([, n]) => n > 0) : [];
  const droppedTotal = dropped.reduce((sum, [, n]) => sum + n, 0);
  return (
    <header class="topbar">
      <div class="topbar-title">
        <span class="brand">{t.appTitle}</span>
        <h1 data-testid="gateway-id">{status?.gateway ?? gateway}</h1>
        {status && (
          <span class="muted small">
            {t.version(status.version)} · {t.uptime(formatDuration(status.uptimeS * 1000))}
          </span>
        )}
      </div>
      <div class="topbar-stats">
        {uplink && (
          <span
            class={`badge ${uplink.connected ? "badge-ok" : "badge-bad"}`}
            data-testid="uplink-status"
            data-connected={String(uplink.connected)}
            title={uplink.lastError}
          >
            {uplink.connected ? t.uplinkConnected : t.uplinkDisconnected}
          </span>
        )}
        {buffer && (
          <span class={`stat${buffer.backlog > 0 ? " stat-warn" : ""}`} data-testid="backlog">
            {t.backlog(buffer.backlog)}
            {buffer.oldestUnsentAgeMs !== null && buffer.backlog > 0 && (
              <span class="muted"> · {t.backlogOldest(formatDuration(buffer.oldestUnsentAgeMs))}</span>
            )}
          </span>
        )}
        {droppedTotal > 0 && (
          <span class="stat stat-bad" data-testid="dropped">
            {t.dropped(droppedTotal, dropped.map(([why, n]) => `${why}: ${formatNumber(n)}`).join(", "))}
          </span>
        )}
      </div>
      {uplink && !uplink.connected && uplink.lastError && (
        <p class="topbar-error">{t.uplinkError(describeError(uplink.lastError))}</p>
      )}
    </header>
  );
}
