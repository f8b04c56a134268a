import { useState } from "preact/hooks";
import { AlertList } from "../AlertList.js";
import { api, usePoll } from "../api.js";
import { mayAct, useSessionContext } from "../auth/context.js";
import { ErrorBanner } from "../ErrorBanner.js";
import { t } from "../i18n.js";
import { runCommand } from "./commands.js";

/**
 * Alerts raised now across the fleet, from the collector's alert events. Operators acknowledge
 * here with the `alert.ack` command: the gateway records it, and its acked event comes back up.
 */
export function FleetAlerts({ now }: { now: number }) {
  const session = useSessionContext();
  const alerts = usePoll((signal) => api.alerts(signal), 5000);
  const [error, setError] = useState<string | undefined>();
  // Shown at once; the acked event reaches the collector's list a moment later.
  const [acked, setAcked] = useState<Record<string, number>>({});
  const acknowledge = async (gateway: string, rule: string, device: string) => {
    setError(undefined);
    try {
      const done = await runCommand(gateway, "alert.ack", { rule, device });
      if (!done.acknowledged) throw new Error(t.alertAckNothing);
      setAcked((a) => ({ ...a, [`${gateway}/${rule}/${device}`]: Date.now() }));
    } catch (err) {
      setError(t.alertAckFailed((err as Error).message));
    }
  };
  const items = (alerts.data?.active ?? []).map((a) => {
    const key = `${a.gateway}/${a.rule}/${a.device}`;
    return {
      key,
      severity: a.severity,
      where: [a.gateway, a.device],
      message: a.message,
      since: a.at,
      attrs: { "data-gateway": a.gateway, "data-rule": a.rule },
      ackedAt: a.ackedAt ?? acked[key] ?? null,
      onAck: mayAct(session?.me) ? () => void acknowledge(a.gateway, a.rule, a.device) : undefined,
    };
  });
  return (
    <>
      {error && <ErrorBanner message={error} />}
      <AlertList items={items} now={now} testid="fleet-alert" />
    </>
  );
}
