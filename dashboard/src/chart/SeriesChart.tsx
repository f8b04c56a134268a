import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { formatNumber } from "../format.js";
import { t } from "../i18n.js";
import { isEmpty, type UplotData } from "./data.js";

export interface SeriesChartProps {
  /** Legend label; a new label creates a new chart, new data for the same label only calls setData. */
  label: string;
  data: UplotData | undefined;
  /** Fixed x window in ms, so a half-empty window still spans the full 15 minutes. */
  window: { from: number; to: number } | undefined;
  /** Extra attributes on the container for tests, e.g. data-device. */
  attrs?: Record<string, string>;
}

const EMPTY: UplotData = [[], []];

function heightFor(width: number): number {
  return Math.round(Math.min(360, Math.max(200, width * 0.45)));
}

function cssVar(el: Element, name: string, fallback: string): string {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}

/** Width of the y axis from its longest label (~7 px per character of the 12 px axis font). */
function yAxisSize(_u: uPlot, values: string[] | undefined): number {
  const longest = (values ?? []).reduce((max, v) => Math.max(max, String(v).length), 0);
  return Math.max(40, Math.ceil(longest * 7 + 18));
}

/** A single-line uPlot time-series chart that follows its container's width. */
export function SeriesChart({ label, data, window: range, attrs }: SeriesChartProps) {
  const boxRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<uPlot | null>(null);
  const rangeRef = useRef(range);
  rangeRef.current = range;
  const dataRef = useRef(data);
  dataRef.current = data;

  useEffect(() => {
    const box = boxRef.current;
    if (!box) return;
    const fg = cssVar(box, "--muted", "#555");
    const grid = cssVar(box, "--grid", "rgba(0,0,0,0.1)");
    const line = cssVar(box, "--accent", "#1565c0");
    const width = box.clientWidth || 320;
    const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const opts: uPlot.Options = {
      width,
      height: heightFor(width),
      scales: {
        x: {
          time: true,
          range: (_u, min, max) => {
            const r = rangeRef.current;
            return r ? [r.from / 1000, r.to / 1000] : [min, max];
          },
        },
      },
      series: [
        {},
        {
          label,
          stroke: line,
          width: 2,
          spanGaps: false,
          value: (_u, v) => (v === null || v === undefined ? t.noValue : formatNumber(v)),
        },
      ],
      axes: [axis, { ...axis, size: yAxisSize, values: (_u, splits) => splits.map((v) => formatNumber(v)) }],
      cursor: { drag: { x: false, y: false } },
    };
    const plot = new uPlot(opts, dataRef.current ?? EMPTY, box);
    plotRef.current = plot;

    const observer = new ResizeObserver(() => {
      const w = box.clientWidth;
      if (w > 0 && w !== plot.width) plot.setSize({ width: w, height: heightFor(w) });
    });
    observer.observe(box);
    return () => {
      observer.disconnect();
      plot.destroy();
      plotRef.current = null;
    };
  }, [label]);

  useEffect(() => {
    plotRef.current?.setData(data ?? EMPTY);
  }, [data]);

  const empty = data !== undefined && isEmpty(data);
  // How many samples have a value: lets a browser test see that something is drawn on the canvas.
  const drawn = data ? data[1].filter((v) => v !== null).length : 0;
  const last = data?.[1].findLast((v) => v !== null);
  return (
    <div class="chart-wrap">
      <div
        ref={boxRef}
        class="chart"
        data-testid="chart"
        data-points={drawn}
        data-last={last ?? ""}
        {...attrs}
      />
      {empty && <p class="chart-empty">{t.chartEmpty}</p>}
    </div>
  );
}
