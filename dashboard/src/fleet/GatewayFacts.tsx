import type { GatewayEntry } from "@tidegate/protocol";
import { DropsFact, Fact } from "../Facts.js";
import { formatCount, formatDuration } from "../format.js";
import { t } from "../i18n.js";
import { CompletenessBadges } from "./CompletenessBadges.js";

/** The selected gateway's store-and-forward accounting: completeness, backlog, uplink and drops. */
export function GatewayFacts({ g }: { g: GatewayEntry }) {
  const backlog = g.backlog;
  return (
    <dl class="facts facts-detail">
      <Fact label={t.colCompleteness} tone={g.seq && g.seq.missing > 0 ? "warn" : undefined} wide>
        <CompletenessBadges seq={g.seq} testid="detail-completeness" showDetail />
      </Fact>
      <Fact
        label={t.factBacklog}
        tone={backlog ? "warn" : undefined}
        testid="detail-backlog"
        attrs={backlog === undefined ? {} : { "data-count": backlog }}
      >
        {backlog === undefined ? t.noValue : t.readings(formatCount(backlog))}
        {backlog && g.oldestUnsentAgeMs ? (
          <span class="fact-note">{t.backlogOldest(formatDuration(g.oldestUnsentAgeMs))}</span>
        ) : null}
      </Fact>
      {g.online && g.uplinkConnected !== undefined && (
        <Fact label={t.factUplink}>
          <span class={`badge ${g.uplinkConnected ? "badge-ok" : "badge-bad"}`}>
            {g.uplinkConnected ? t.connected : t.disconnected}
          </span>
        </Fact>
      )}
      <DropsFact dropped={g.dropped} tone="bad" />
    </dl>
  );
}
