import { useMemo, useState } from "preact/hooks";
import { usePoll } from "../api.js";
import { toColumns } from "../chart/data.js";
import { TimeChart } from "../chart/TimeChart.js";
import { ErrorBanner } from "../ErrorBanner.js";
import { t } from "../i18n.js";
import { localApi, type TrendRange } from "./local-api.js";

const POLL_MS = 15_000;
const SPAN: Record<TrendRange, number> = { "1h": 3_600_000, "24h": 86_400_000 };
const noop = () => {};

/** One point's last hour or day from the agent's own history (it keeps no more than that). */
export function TrendChart(props: { device: string; point: string; label: string; unit?: string }) {
  const [range, setRange] = useState<TrendRange>("1h");
  const poll = usePoll(
    (signal) => localApi.history(props.device, props.point, range, signal),
    POLL_MS,
    `${props.device}/${props.point}/${range}`,
  );
  // undefined: not answered yet; null: the agent keeps no history of this point (yet).
  const cols = useMemo(
    () => (poll.data === undefined ? undefined : poll.data === null ? emptyCols() : toColumns(poll.data)),
    [poll.data],
  );
  const series = useMemo(
    () => [{ label: props.label, ...(props.unit ? { unit: props.unit } : {}) }],
    [props.label, props.unit],
  );
  const now = Date.now();
  return (
    <div class="trend" data-testid="trend" data-range={range}>
      <div class="trend-head">
        <span class="small muted">{t.trend.title(props.label)}</span>
        <fieldset class="range-picker">
          <legend class="sr-only">{t.chartRange}</legend>
          {(["1h", "24h"] as const).map((r) => (
            <button
              key={r}
              type="button"
              class="btn range"
              aria-pressed={range === r}
              data-testid={`trend-${r}`}
              onClick={() => setRange(r)}
            >
              {t.trend.range[r]}
            </button>
          ))}
        </fieldset>
      </div>
      {poll.error && <ErrorBanner message={t.unreachable.agent} detail={poll.error} />}
      <TimeChart
        series={series}
        cols={cols}
        window={{ from: now - SPAN[range], to: now }}
        onZoom={noop}
        onPan={noop}
        attrs={{ "data-step": String(poll.data?.step ?? "") }}
      />
    </div>
  );
}

const emptyCols = () => toColumns({ step: "raw", ts: [], series: [{ values: [] }] });
