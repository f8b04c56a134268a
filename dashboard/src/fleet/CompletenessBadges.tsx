import type { SeqAccounting } from "@tidegate/protocol";
import { t } from "../i18n.js";
import { describeCompleteness } from "./completeness.js";

/**
 * "complete", or "N missing" and/or "N dropped", with stored/max as a tooltip (and, for screen
 * readers, as text). `showDetail` prints stored/max visibly too, for the gateway detail.
 */
export function CompletenessBadges({
  seq,
  testid = "completeness",
  showDetail = false,
}: {
  seq: SeqAccounting | undefined;
  testid?: string;
  showDetail?: boolean;
}) {
  if (!seq) return <span class="muted">{t.noValue}</span>;
  const view = describeCompleteness(seq);
  return (
    <span
      class="chips"
      data-testid={testid}
      data-missing={seq.missing}
      data-dropped={seq.dropped}
      title={view.detail}
    >
      {view.parts.map((p) => (
        <span key={p.text} class={`badge badge-${p.tone}`}>
          {p.text}
        </span>
      ))}
      {showDetail ? (
        <span class="muted small">{view.detail}</span>
      ) : (
        <span class="sr-only">{view.detail}</span>
      )}
    </span>
  );
}
