import { formatAge } from "./format.js";
import { t } from "./i18n.js";

const TONE: Record<string, string> = { critical: "badge-bad", warning: "badge-warn", info: "badge-info" };

export interface AlertItem {
  key: string;
  severity: string;
  /** Where it is: the device, or gateway and device. */
  where: string[];
  message: string;
  since: number;
  /** Attributes for tests: data-rule and the like. */
  attrs: Record<string, string>;
  /** When an operator acknowledged it; null or absent: not yet. */
  ackedAt?: number | null;
  /** Present when the viewer may acknowledge it (operators and admins, on the gateway's own view). */
  onAck?: () => void;
}

/** Alerts raised now, newest first, for both dashboards; nothing when all is quiet. */
export function AlertList({ items, now, testid }: { items: AlertItem[]; now: number; testid: string }) {
  if (items.length === 0) return null;
  return (
    <section class="panel alerts" aria-labelledby={`${testid}-title`} data-testid={`${testid}-panel`}>
      <header class="panel-head">
        <h2 id={`${testid}-title`}>{t.alertsTitle(items.length)}</h2>
      </header>
      <ul class="alert-list">
        {items.map((a) => (
          <li key={a.key} data-testid={testid} data-severity={a.severity} {...a.attrs}>
            <span class={`badge ${TONE[a.severity] ?? "badge-warn"}`}>
              {t.severity[a.severity as "info"] ?? a.severity}
            </span>{" "}
            <strong>{a.where[0]}</strong>
            {a.where.slice(1).map((w) => ` · ${w}`)} · {a.message}{" "}
            <span class="muted small">{t.alertSince(formatAge(a.since, now))}</span>
            {a.ackedAt ? (
              <span class="muted small" data-testid="alert-acked">
                {" "}
                · {t.alertAcked(formatAge(a.ackedAt, now))}
              </span>
            ) : (
              a.onAck && (
                <button
                  type="button"
                  class="small-button"
                  data-testid="alert-ack"
                  aria-label={t.alertAckHint(a.attrs["data-rule"] ?? a.key, a.where.at(-1) ?? "")}
                  onClick={a.onAck}
                >
                  {t.alertAck}
                </button>
              )
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
