import type { GatewaySummary } from "../api.js";
import { formatAge, formatCount, formatDuration } from "../format.js";
import { t } from "../i18n.js";
import { CompletenessBadges } from "./CompletenessBadges.js";

interface Props {
  gateways: GatewaySummary[];
  selected: string | undefined;
  onSelect: (id: string) => void;
  now: number;
}

/**
 * Every gateway the collector knows; a row is selected by click, Enter or Space. On narrow screens
 * each row becomes two lines, "id · status" over "last seen · completeness"; backlog is in the detail.
 */
export function GatewayTable({ gateways, selected, onSelect, now }: Props) {
  if (gateways.length === 0) return <p class="notice">{t.noGateways}</p>;
  return (
    <table class="gateways">
      <thead>
        <tr>
          <th scope="col">{t.colGateway}</th>
          <th scope="col">{t.colStatus}</th>
          <th scope="col" class="num">
            {t.colLastSeen}
          </th>
          <th scope="col" class="hide-narrow">
            {t.colVersion}
          </th>
          <th scope="col" class="num hide-narrow">
            {t.colBacklog}
          </th>
          <th scope="col">{t.colCompleteness}</th>
        </tr>
      </thead>
      <tbody>
        {gateways.map((g) => (
          <tr
            key={g.id}
            class={g.id === selected ? "selected" : undefined}
            data-testid="gateway-row"
            data-gateway={g.id}
            data-online={String(g.online)}
            tabIndex={0}
            aria-selected={g.id === selected}
            onClick={() => onSelect(g.id)}
            onKeyDown={(e) => {
              if (e.key === "Enter" || e.key === " ") {
                e.preventDefault();
                onSelect(g.id);
              }
            }}
          >
            <th scope="row">{g.id}</th>
            <td class="status-cell">
              <span class={`badge ${g.online ? "badge-ok" : "badge-bad"}`} data-testid="gateway-status">
                {g.online ? t.online : t.offline}
              </span>
              {(g.activeAlerts?.length ?? 0) > 0 && (
                <span
                  class={`badge ${g.activeAlerts?.some((a) => a.severity === "critical") ? "badge-bad" : "badge-warn"}`}
                  data-testid="gateway-alerts"
                  data-count={g.activeAlerts?.length}
                  title={g.activeAlerts?.map((a) => `${a.device}: ${a.message}`).join("\n")}
                >
                  {t.alertsTitle(g.activeAlerts?.length ?? 0)}
                </span>
              )}
            </td>
            <td
              class="num seen-cell"
              title={g.lastSeen === null ? undefined : new Date(g.lastSeen).toLocaleString()}
            >
              {formatAge(g.lastSeen, now)}
            </td>
            <td class="hide-narrow">
              {g.version ?? t.noValue}
              {g.wire && g.wire.version < g.wire.current && (
                <span class="badge badge-warn" data-testid="older-wire" title={t.olderWireHint}>
                  {t.olderWire(g.wire.version)}
                </span>
              )}
            </td>
            <td
              class={`num hide-narrow${g.backlog ? " stat-warn" : ""}`}
              title={g.oldestUnsentAgeMs ? t.backlogOldest(formatDuration(g.oldestUnsentAgeMs)) : undefined}
            >
              {g.backlog === undefined ? t.noValue : formatCount(g.backlog)}
            </td>
            <td class="completeness-cell">
              <CompletenessBadges seq={g.seq} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
