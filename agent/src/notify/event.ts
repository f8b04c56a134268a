import type { NotifyTarget, Severity } from "./schema.js";

/** What every target receives, one per alert event. */
export interface NotifyEvent {
  gateway: string;
  rule: string;
  device: string;
  point: string;
  severity: Severity;
  state: "raised" | "cleared" | "acked";
  at: number;
  value: number | null;
  message: string;
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** A target hears an event when its alert is at least as severe as the target asks. */
export function wants(target: Pick<NotifyTarget, "minSeverity">, e: Pick<NotifyEvent, "severity">): boolean {
  return RANK[e.severity] >= RANK[target.minSeverity];
}

/**
 * The topic for one event. Values come from ids (letters, digits, _ -) and the state, but a stray
 * "/", "+" or "#" would still change which subscribers match, so they are replaced.
 */
export function expandTopic(template: string, e: NotifyEvent): string {
  const fields: Record<string, string> = {
    gateway: e.gateway,
    rule: e.rule,
    device: e.device,
    state: e.state,
  };
  return template.replace(/\{(gateway|rule|device|state)\}/g, (_, k: string) =>
    (fields[k] as string).replace(/[/+#]/g, "_"),
  );
}

/** The label of a target in metrics and status: where it sends to, never its credentials. */
export function targetNames(targets: readonly NotifyTarget[]): string[] {
  const names = targets.map((t) => {
    if (t.type === "mqtt") return `mqtt:${t.topic}`;
    const u = new URL(t.url);
    return `webhook:${u.host}${u.pathname}`;
  });
  return names.map((n, i) => (names.indexOf(n) === i ? n : `${n}#${i}`));
}
