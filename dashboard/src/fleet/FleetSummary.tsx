import type { FleetCounts } from "@tidegate/protocol";
import { formatCount } from "../format.js";
import { t } from "../i18n.js";
import { GATEWAY_STATUSES, type GatewayStatus, type StatusFilter } from "./table-view.js";

const tone: Record<GatewayStatus, string> = {
  online: "ok",
  offline: "bad",
  alerting: "warn",
  backlogged: "warn",
};

/**
 * The collector's counts (GET /api/v1/fleet) above the table: each status overall, as a button
 * that filters the table by it, and a compact line per site.
 */
export function FleetSummary(props: {
  counts: FleetCounts;
  status: StatusFilter;
  onStatus: (status: GatewayStatus) => void;
}) {
  const { total, sites } = props.counts;
  return (
    <section class="panel fleet-summary" aria-label={t.fleetSummary.title} data-testid="fleet-summary">
      <div class="summary-counts">
        {GATEWAY_STATUSES.map((s) => {
          const n = total[s];
          const label = t.table.status[s];
          return (
            <button
              key={s}
              type="button"
              class={`summary-count${n > 0 && s !== "online" ? ` summary-count-${tone[s]}` : ""}`}
              data-testid="summary-status"
              data-status={s}
              data-count={n}
              aria-pressed={props.status === s}
              title={t.fleetSummary.showStatus(label)}
              onClick={() => props.onStatus(s)}
            >
              <span class="summary-count-num">{formatCount(n)}</span>
              <span class="summary-count-label">{label}</span>
            </button>
          );
        })}
      </div>
      {sites.length > 0 && (
        <details class="summary-sites" open={sites.length <= 12}>
          <summary>{t.fleetSummary.bySite}</summary>
          <div class="table-scroll">
            <table class="sites-table" data-testid="fleet-sites">
              <thead>
                <tr>
                  <th scope="col">{t.fleetSummary.site}</th>
                  <th scope="col" class="num">
                    {t.fleetSummary.gateways}
                  </th>
                  {GATEWAY_STATUSES.map((s) => (
                    <th scope="col" class="num" key={s}>
                      {t.table.status[s]}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {sites.map((site) => (
                  <tr key={site.site ?? ""} data-testid="site-row" data-site={site.site ?? ""}>
                    <th scope="row">{site.site ?? t.fleetSummary.noSite}</th>
                    <td class="num">{formatCount(site.gateways)}</td>
                    {GATEWAY_STATUSES.map((s) => (
                      <td
                        key={s}
                        class={`num${site[s] > 0 && s !== "online" ? ` stat-${tone[s]}` : ""}`}
                        data-status={s}
                      >
                        {formatCount(site[s])}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      )}
    </section>
  );
}
