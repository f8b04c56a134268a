import { AlertList } from "../AlertList.js";
import { api, usePoll } from "../api.js";

/** Alerts raised now across the fleet, from the collector's alert events. */
export function FleetAlerts({ now }: { now: number }) {
  const alerts = usePoll((signal) => api.alerts(signal), 5000);
  const items = (alerts.data?.active ?? []).map((a) => ({
    key: `${a.gateway}/${a.rule}/${a.device}`,
    severity: a.severity,
    where: [a.gateway, a.device],
    message: a.message,
    since: a.at,
    attrs: { "data-gateway": a.gateway, "data-rule": a.rule },
  }));
  return <AlertList items={items} now={now} testid="fleet-alert" />;
}
