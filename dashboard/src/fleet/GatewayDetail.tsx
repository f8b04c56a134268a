import { api, type GatewaySummary, type PointSummary } from "../api.js";
import { SeriesChart } from "../chart/SeriesChart.js";
import { t } from "../i18n.js";
import { GatewayFacts } from "./GatewayFacts.js";
import { PointPicker } from "./PointPicker.js";
import { seriesKey } from "./selection.js";
import { type ChartData, RANGES, type RangeId } from "./useFleet.js";

interface Props {
  gateway: string;
  /** The gateway's entry in the fleet list, for its store-and-forward accounting. */
  summary: GatewaySummary | undefined;
  points: PointSummary[] | undefined;
  series: { device: string; point: string } | undefined;
  onSelectSeries: (device: string, point: string) => void;
  chart: ChartData | undefined;
  range: RangeId;
  onSelectRange: (range: RangeId) => void;
}

/** The selected gateway: its completeness and backlog, then a chart of one point over a chosen range. */
export function GatewayDetail({
  gateway,
  summary,
  points,
  series,
  onSelectSeries,
  chart,
  range,
  onSelectRange,
}: Props) {
  return (
    <section class="panel detail" data-testid="gateway-detail" data-gateway={gateway}>
      <header class="panel-head">
        <h2>{gateway}</h2>
        {points && points.length > 0 && (
          <PointPicker
            points={points}
            value={series && seriesKey(series.device, series.point)}
            onChange={onSelectSeries}
          />
        )}
      </header>
      {summary && <GatewayFacts g={summary} />}
      {points === undefined && <p class="notice">{t.loading}</p>}
      {points?.length === 0 && <p class="notice">{t.noPoints}</p>}
      {series && points && points.length > 0 && (
        <figure class="chart-figure">
          <figcaption class="chart-caption">
            <strong>{t.chartTitle(gateway, series.device, series.point)}</strong>
            <fieldset class="range-picker">
              <legend class="sr-only">{t.chartRange}</legend>
              {RANGES.map((r) => (
                <button
                  type="button"
                  key={r.id}
                  class="range"
                  aria-pressed={r.id === range}
                  data-testid={`range-${r.id}`}
                  onClick={() => onSelectRange(r.id)}
                >
                  {t.rangeLabel[r.id]}
                </button>
              ))}
            </fieldset>
            {chart && (
              <a
                class="csv-link small"
                data-testid="csv-link"
                download
                href={api.seriesCsvUrl({ gateway, ...series, ...chart.window })}
              >
                {t.downloadCsv}
              </a>
            )}
          </figcaption>
          <SeriesChart
            label={seriesKey(series.device, series.point)}
            data={chart?.data}
            window={chart?.window}
            attrs={{
              "data-gateway": gateway,
              "data-device": series.device,
              "data-point": series.point,
              "data-range": range,
              "data-step": String(chart?.step ?? ""),
              "data-live": String(chart?.liveCount ?? 0),
            }}
          />
        </figure>
      )}
    </section>
  );
}
