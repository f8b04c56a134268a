import { AlertList } from "../AlertList.js";
import type { AgentStatus } from "../api.js";

/** What this gateway's edge rules hold raised right now. */
export function AlertsPanel({ status, now }: { status: AgentStatus | undefined; now: number }) {
  const items = (status?.alerts?.active ?? []).map((a) => ({
    key: `${a.rule}/${a.device}`,
    severity: a.severity,
    where: [a.device],
    message: a.message,
    since: a.since,
    attrs: { "data-rule": a.rule },
  }));
  return <AlertList items={items} now={now} testid="alert" />;
}
