import { formatMeasured } from "../format.js";
import { t } from "../i18n.js";
import type { ChartSeries } from "./options.js";

interface Props {
  series: readonly ChartSeries[];
  /** Each series' last value in the window. */
  lasts: readonly (number | undefined)[];
  /** Values under the cursor while it hovers the plot; the last values otherwise. */
  cursor: { ts: number; values: readonly (number | null | undefined)[] } | undefined;
  onRemove?: ((index: number) => void) | undefined;
}

const SWATCHES = 8;

function formatTime(ms: number): string {
  return new Date(ms).toLocaleString(t.numberLocale, { dateStyle: "short", timeStyle: "medium" });
}

/** The chart's key: colour, name, unit and value of each series, and a way to take one off. */
export function ChartLegend({ series, lasts, cursor, onRemove }: Props) {
  return (
    <div class="chart-legend">
      <p class="legend-time small muted" aria-live="off">
        {cursor ? `${t.legendTime}: ${formatTime(cursor.ts)}` : "\u00a0"}
      </p>
      <ul>
        {series.map((s, i) => {
          const v = cursor ? cursor.values[i] : lasts[i];
          const text = typeof v === "number" ? formatMeasured(v, s.decimals) : t.noValue;
          return (
            <li key={s.label} data-testid="legend-item" data-series={s.label} data-last={lasts[i] ?? ""}>
              <span class={`swatch swatch-${(i % SWATCHES) + 1}`} aria-hidden="true" />
              <span class="legend-label">{s.label}</span>
              <span class="legend-value num">
                {text}
                {s.unit && typeof v === "number" ? ` ${s.unit}` : ""}
              </span>
              {onRemove && series.length > 1 && (
                <button
                  type="button"
                  class="btn btn-icon"
                  aria-label={t.pointRemove(s.label)}
                  title={t.pointRemove(s.label)}
                  data-testid="legend-remove"
                  onClick={() => onRemove(i)}
                >
                  ×
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
