import type { GatewaySummary, PointSummary } from "../api.js";
import { SeriesChart } from "../chart/SeriesChart.js";
import { t } from "../i18n.js";
import { GatewayFacts } from "./GatewayFacts.js";
import { PointPicker } from "./PointPicker.js";
import { seriesKey } from "./selection.js";
import type { ChartData } from "./useFleet.js";

interface Props {
  gateway: string;
  /** The gateway's entry in the fleet list, for its store-and-forward accounting. */
  summary: GatewaySummary | undefined;
  points: PointSummary[] | undefined;
  series: { device: string; point: string } | undefined;
  onSelectSeries: (device: string, point: string) => void;
  chart: ChartData | undefined;
}

/** The selected gateway: its completeness and backlog, then a chart of the last 15 minutes of one point. */
export function GatewayDetail({ gateway, summary, points, series, onSelectSeries, chart }: Props) {
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
          <figcaption>
            <strong>{t.chartTitle(gateway, series.device, series.point)}</strong>{" "}
            <span class="muted small">{t.chartWindow}</span>
          </figcaption>
          <SeriesChart
            label={seriesKey(series.device, series.point)}
            data={chart?.data}
            window={chart?.window}
            attrs={{ "data-gateway": gateway, "data-device": series.device, "data-point": series.point }}
          />
        </figure>
      )}
    </section>
  );
}
