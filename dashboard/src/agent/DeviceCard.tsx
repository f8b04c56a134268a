import type { DeviceStatusName } from "@tidegate/protocol";
import { describeError, formatAge, formatNumber, formatPercent } from "../format.js";
import { t } from "../i18n.js";
import type { DeviceGroup } from "./group.js";
import { PointTable } from "./PointTable.js";

const BADGE: Record<DeviceStatusName, string> = {
  ok: "badge-ok",
  degraded: "badge-warn",
  failing: "badge-bad",
  starting: "badge-neutral",
};

/** One Modbus device: health at a glance, then its points. */
export function DeviceCard({ group, now }: { group: DeviceGroup; now: number }) {
  const s = group.status;
  return (
    <section class="card" data-testid="device-card" data-device={group.id} data-status={s?.status}>
      <header class="card-head">
        <h2>{group.id}</h2>
        {s && (
          <span class={`badge ${BADGE[s.status] ?? "badge-neutral"}`} data-testid="device-status">
            {t.deviceStatus[s.status] ?? s.status}
          </span>
        )}
      </header>
      {s && (
        <p class="card-meta muted small">
          <span>{t.profile(s.profile)}</span>
          {s.lastLatencyMs !== undefined && (
            <span>{t.latency(formatNumber(Math.round(s.lastLatencyMs)))}</span>
          )}
          <span>{t.successRate(formatPercent(s.successRate))}</span>
          {s.lastPollTs !== undefined && <span>{t.lastPoll(formatAge(s.lastPollTs, now))}</span>}
        </p>
      )}
      {s?.lastError && (
        <p class={`card-error${s.status === "ok" ? " card-error-past" : ""}`} title={s.lastError}>
          {t.lastError(describeError(s.lastError))}
        </p>
      )}
      <PointTable readings={group.readings} now={now} />
    </section>
  );
}
