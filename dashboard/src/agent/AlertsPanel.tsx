import type { ActiveAlert, AgentStatus } from "../api.js";
import { formatAge } from "../format.js";
import { t } from "../i18n.js";

const TONE: Record<ActiveAlert["severity"], string> = {
  critical: "badge-bad",
  warning: "badge-warn",
  info: "badge-info",
};

/** What the gateway's edge rules hold raised right now, most recent first; nothing when all is quiet. */
export function AlertsPanel({ status, now }: { status: AgentStatus | undefined; now: number }) {
  const active = status?.alerts?.active ?? [];
  if (active.length === 0) return null;
  return (
    <section class="panel alerts" aria-labelledby="alerts-title" data-testid="alerts-panel">
      <header class="panel-head">
        <h2 id="alerts-title">{t.alertsTitle(active.length)}</h2>
      </header>
      <ul class="alert-list">
        {active.map((a) => (
          <li key={`${a.rule}/${a.device}`} data-testid="alert" data-rule={a.rule} data-severity={a.severity}>
            <span class={`badge ${TONE[a.severity]}`}>{t.severity[a.severity]}</span>{" "}
            <strong>{a.device}</strong> · {a.message}{" "}
            <span class="muted small">{t.alertSince(formatAge(a.since, now))}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
