import type { PointEntry } from "@tidegate/protocol";
import { csvUrl } from "../chart/query.js";
import { resolveWindow } from "../chart/range.js";
import { TimeChart } from "../chart/TimeChart.js";
import { serverNow } from "../clock.js";
import { ErrorBanner } from "../ErrorBanner.js";
import { formatDuration } from "../format.js";
import { t } from "../i18n.js";
import { RangeControls } from "./RangeControls.js";
import { type PointRef, removeSeries } from "./selection.js";
import { useChart } from "./useChart.js";

interface Props {
  gateway: string;
  points: readonly PointEntry[];
  series: readonly PointRef[];
  ready: boolean;
  onSeries: (list: PointRef[]) => void;
}

/** A gateway's chart: range controls, the plot of its chosen points, and their CSV. */
export function ChartPanel({ gateway, points, series, ready, onSeries }: Props) {
  const chart = useChart(gateway, series, ready);
  const view = chart.view;
  const step = view?.cols.step;
  const chartSeries = series.map((s) => {
    const entry = points.find((p) => p.device === s.device && p.point === s.point);
    return { label: t.seriesLabel(s.device, s.point), unit: entry?.unit, decimals: entry?.decimals };
  });
  return (
    <figure class="chart-figure">
      <figcaption class="chart-caption">
        <RangeControls
          range={chart.range}
          window={view?.window ?? resolveWindow(chart.range, serverNow())}
          onPreset={chart.selectPreset}
          onPan={chart.pan}
          onReset={chart.resetZoom}
          onWindow={chart.showWindow}
        />
        <p class="chart-meta small muted">
          {step !== undefined && (
            <span data-testid="chart-step">
              {step === "raw" ? t.stepRaw : t.stepBucket(formatDuration(step))}
            </span>
          )}
          {view && (
            <a
              class="csv-link"
              data-testid="csv-link"
              download
              title={t.downloadCsvHint}
              href={csvUrl(view.query, step)}
            >
              {t.downloadCsv}
            </a>
          )}
        </p>
      </figcaption>
      {chart.error && <ErrorBanner message={t.unreachable.collector} detail={chart.error} />}
      <TimeChart
        series={chartSeries}
        cols={view?.cols}
        window={view?.window}
        onZoom={chart.showWindow}
        onPan={chart.pan}
        onRemove={(i) => {
          const s = series[i];
          if (s) onSeries(removeSeries(series, s));
        }}
        attrs={{
          "data-gateway": gateway,
          "data-step": String(step ?? ""),
          "data-live": String(view?.liveCount ?? 0),
          "data-following": String(chart.range.live),
        }}
      />
    </figure>
  );
}
