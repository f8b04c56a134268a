import { api, usePoll } from "../api.js";
import { formatAge } from "../format.js";
import { t } from "../i18n.js";

const TONE: Record<string, string> = { critical: "badge-bad", warning: "badge-warn", info: "badge-info" };

/** Alerts raised now across the fleet, newest first; nothing when all is quiet. */
export function FleetAlerts({ now }: { now: number }) {
  const alerts = usePoll((signal) => api.alerts(signal), 5000);
  const active = alerts.data?.active ?? [];
  if (active.length === 0) return null;
  return (
    <section class="panel alerts" aria-labelledby="fleet-alerts-title" data-testid="fleet-alerts">
      <header class="panel-head">
        <h2 id="fleet-alerts-title">{t.alertsTitle(active.length)}</h2>
      </header>
      <ul class="alert-list">
        {active.map((a) => (
          <li
            key={`${a.gateway}/${a.rule}/${a.device}`}
            data-testid="fleet-alert"
            data-gateway={a.gateway}
            data-rule={a.rule}
          >
            <span class={`badge ${TONE[a.severity] ?? "badge-warn"}`}>
              {t.severity[a.severity as "info"] ?? a.severity}
            </span>{" "}
            <strong>{a.gateway}</strong> · {a.device} · {a.message}{" "}
            <span class="muted small">{t.alertSince(formatAge(a.at, now))}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
