import type { AgentStatus } from "@tidegate/protocol";
import { useState } from "preact/hooks";
import { AlertList } from "../AlertList.js";
import { mayAct, useSessionContext } from "../auth/context.js";
import { writeHeaders } from "../auth/session.js";
import { ErrorBanner } from "../ErrorBanner.js";
import { t } from "../i18n.js";

/** What this gateway's edge rules hold raised right now; operators acknowledge them here. */
export function AlertsPanel(props: { status: AgentStatus | undefined; now: number; onChange?: () => void }) {
  const session = useSessionContext();
  const [error, setError] = useState<string | undefined>();
  const [acked, setAcked] = useState<Record<string, number>>({});
  const acknowledge = async (rule: string, device: string) => {
    setError(undefined);
    try {
      const res = await fetch("api/v1/alerts/ack", {
        method: "POST",
        headers: writeHeaders(),
        body: JSON.stringify({ rule, device }),
      });
      if (!res.ok) {
        const body = (await res.json().catch(() => ({}))) as { error?: string };
        throw new Error(body.error ?? t.httpError(res.status));
      }
      // Shown at once; the next status poll brings the agent's own record.
      setAcked((a) => ({ ...a, [`${rule}/${device}`]: Date.now() }));
      props.onChange?.();
    } catch (err) {
      setError(t.alertAckFailed((err as Error).message));
    }
  };
  const items = (props.status?.alerts?.active ?? []).map((a) => ({
    key: `${a.rule}/${a.device}`,
    severity: a.severity,
    where: [a.device],
    message: a.message,
    since: a.since,
    attrs: { "data-rule": a.rule },
    ackedAt: a.ackedAt ?? acked[`${a.rule}/${a.device}`] ?? null,
    onAck: mayAct(session?.me) ? () => void acknowledge(a.rule, a.device) : undefined,
  }));
  return (
    <>
      {error && <ErrorBanner message={error} />}
      <AlertList items={items} now={props.now} testid="alert" />
    </>
  );
}
