import type { AgentStatus } from "@tidegate/protocol";
import { useRef } from "preact/hooks";
import { DropsFact, Fact } from "../Facts.js";
import { describeError, formatBytes, formatCount, formatDuration, formatRate } from "../format.js";
import { t } from "../i18n.js";
import { addSample, type DrainState, drainEtaMs, initialDrain } from "./drain.js";

/** Feeds each new status answer's acked seq to the drain estimator. */
function useDrain(status: AgentStatus | undefined): DrainState {
  const ref = useRef<{ seen: AgentStatus | undefined; state: DrainState }>({
    seen: undefined,
    state: initialDrain,
  });
  if (status && status !== ref.current.seen) {
    const acked = status.seq?.acked;
    const state =
      typeof acked === "number"
        ? addSample(ref.current.state, { at: performance.now(), acked })
        : initialDrain;
    ref.current = { seen: status, state };
  }
  return ref.current.state;
}

function formatEta(ms: number | undefined): string {
  if (ms === undefined) return t.noValue;
  return ms < 1000 ? t.etaUnderSecond : formatDuration(ms);
}

/** Store-and-forward at a glance: is the uplink up, how much waits on disk, how soon it is sent, what was lost. */
export function UplinkPanel({ status }: { status: AgentStatus | undefined }) {
  const drain = useDrain(status);
  if (!status) return null;
  const { uplink, buffer } = status;
  const backlog = buffer.backlog;
  const oldest = buffer.oldestUnsentAgeMs;
  return (
    <section
      class="panel uplink"
      aria-labelledby="uplink-title"
      data-testid="uplink-panel"
      data-backfilling={String(Boolean(uplink.backfilling))}
    >
      <header class="panel-head">
        <h2 id="uplink-title">{t.uplinkPanel}</h2>
        <div class="badges">
          <span
            class={`badge ${uplink.connected ? "badge-ok" : "badge-bad"}`}
            data-testid="uplink-status"
            data-connected={String(uplink.connected)}
            title={uplink.lastError}
          >
            {uplink.connected ? t.uplinkConnected : t.uplinkDisconnected}
          </span>
          {uplink.backfilling && (
            <span class="badge badge-info" data-testid="backfilling" title={t.backfillingHint}>
              {t.backfilling}
            </span>
          )}
        </div>
      </header>
      {!uplink.connected && uplink.lastError && (
        <p class="panel-error">{t.uplinkError(describeError(uplink.lastError))}</p>
      )}
      {uplink.wire?.mismatch && (
        <p class="panel-error" data-testid="wire-mismatch">
          {t.wireHeld(uplink.wire.mismatch)}
        </p>
      )}
      <dl class="facts">
        <Fact
          label={t.factBacklog}
          tone={backlog > 0 ? "warn" : undefined}
          testid="backlog"
          attrs={{ "data-count": backlog }}
        >
          {t.readings(formatCount(backlog))}
        </Fact>
        <Fact label={t.factOldest} testid="oldest-unsent">
          {oldest !== null && backlog > 0 ? formatDuration(oldest) : t.noValue}
        </Fact>
        <Fact label={t.factBytes} testid="buffer-bytes">
          {typeof buffer.bytes === "number" ? formatBytes(buffer.bytes) : t.noValue}
        </Fact>
        <Fact label={t.factRate} testid="drain-rate">
          {drain.rate === undefined ? t.noValue : t.rate(formatRate(drain.rate))}
        </Fact>
        <Fact label={t.factEta} testid="drain-eta">
          {formatEta(drainEtaMs(backlog, drain.rate))}
        </Fact>
        <DropsFact dropped={buffer.dropped} tone="warn" />
      </dl>
    </section>
  );
}
