import type { GatewayEntry, PointEntry } from "@tidegate/protocol";
import { useSessionContext } from "../auth/context.js";
import { t } from "../i18n.js";
import { ChartPanel } from "./ChartPanel.js";
import { CommandsPanel } from "./CommandsPanel.js";
import { GatewayFacts } from "./GatewayFacts.js";
import { PointPicker } from "./PointPicker.js";
import { LazyPushPanel } from "./push/LazyPushPanel.js";
import { devicesOf } from "./push/push.js";
import { addSeries, type PointRef } from "./selection.js";

interface Props {
  gateway: string;
  /** The gateway's entry in the fleet list, for its store-and-forward accounting. */
  summary: GatewayEntry | undefined;
  points: PointEntry[] | undefined;
  series: PointRef[];
  ready: boolean;
  onSelectSeries: (list: PointRef[]) => void;
}

/** The selected gateway: its completeness and backlog, a chart of its chosen points, its commands. */
export function GatewayDetail({ gateway, summary, points, series, ready, onSelectSeries }: Props) {
  const admin = useSessionContext()?.me.role === "admin";
  return (
    <section class="panel detail" data-testid="gateway-detail" data-gateway={gateway}>
      <header class="panel-head">
        <h2>{gateway}</h2>
        {points && points.length > 0 && (
          <PointPicker points={points} chosen={series} onAdd={(p) => onSelectSeries(addSeries(series, p))} />
        )}
      </header>
      {summary && <GatewayFacts g={summary} />}
      {points === undefined && <p class="notice">{t.loading}</p>}
      {points?.length === 0 && <p class="notice">{t.noPoints}</p>}
      {series.length > 0 && points && points.length > 0 && (
        <ChartPanel
          gateway={gateway}
          points={points}
          series={series}
          ready={ready}
          onSeries={onSelectSeries}
        />
      )}
      <CommandsPanel key={gateway} gateway={gateway} online={summary?.online ?? false} points={points} />
      {admin && points && points.length > 0 && (
        <LazyPushPanel
          key={gateway}
          gateway={gateway}
          devices={devicesOf(points)}
          label={t.commands.pushOpen}
        />
      )}
    </section>
  );
}
