import type { LatestReading } from "@tidegate/protocol";
import { Fragment } from "preact";
import { useState } from "preact/hooks";
import { formatAge, formatValue } from "../format.js";
import { t } from "../i18n.js";
import { TrendChart } from "./TrendChart.js";

/** Older than this, a reading's age is highlighted: the device has probably stopped answering. */
const STALE_MS = 60_000;

/** The latest reading of each point of one device; a point's trend opens beneath its row. */
export function PointTable({ readings, now }: { readings: LatestReading[]; now: number }) {
  const [open, setOpen] = useState<Record<string, boolean>>({});
  if (readings.length === 0) return <p class="muted">{t.noReadings}</p>;
  return (
    <table class="points">
      <thead>
        <tr>
          <th scope="col">{t.colPoint}</th>
          <th scope="col" class="num">
            {t.colValue}
          </th>
          <th scope="col">{t.colQuality}</th>
          <th scope="col" class="num">
            {t.colAge}
          </th>
        </tr>
      </thead>
      <tbody>
        {readings.map((r) => (
          <Fragment key={r.point}>
            <tr data-testid="point-row" data-device={r.device} data-point={r.point}>
              <th scope="row" title={r.point}>
                {r.name}
                {typeof r.value !== "string" && (
                  <button
                    type="button"
                    class="btn btn-small trend-toggle"
                    aria-expanded={Boolean(open[r.point])}
                    data-testid="trend-toggle"
                    onClick={() => setOpen((o) => ({ ...o, [r.point]: !o[r.point] }))}
                  >
                    {open[r.point] ? t.trend.hide : t.trend.show}
                  </button>
                )}
              </th>
              <td class="num value" data-testid="point-value">
                {formatValue(r.value, r.unit, r.decimals)}
              </td>
              <td class="quality-cell">
                <span class={`quality quality-${r.quality}`} data-testid="point-quality">
                  {t.quality[r.quality] ?? r.quality}
                </span>
                {r.quality !== "good" && r.reason && <span class="reason">{r.reason}</span>}
              </td>
              <td class={`num age${now - r.ts > STALE_MS ? " stale" : ""}`}>{formatAge(r.ts, now)}</td>
            </tr>
            {open[r.point] && (
              <tr class="trend-row">
                <td colSpan={4}>
                  <TrendChart device={r.device} point={r.point} label={r.name} unit={r.unit} />
                </td>
              </tr>
            )}
          </Fragment>
        ))}
      </tbody>
    </table>
  );
}
