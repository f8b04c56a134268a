import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import { formatNumber } from "../format.js";
import { t } from "../i18n.js";
import { usePrefs } from "../prefs.js";
import { ChartLegend } from "./ChartLegend.js";
import { type Columns, drawnCounts, lastValues, layoutOf, toUplot } from "./data.js";
import { buildOptions, type ChartColors, type ChartSeries } from "./options.js";

export interface TimeChartProps {
  series: ChartSeries[];
  cols: Columns | undefined;
  /** The x window in ms. */
  window: { from: number; to: number } | undefined;
  onZoom: (from: number, to: number) => void;
  onPan: (direction: -1 | 1) => void;
  /** Offered in the legend for each series while there is more than one. */
  onRemove?: ((index: number) => void) | undefined;
  /** Extra attributes on the chart box for tests, e.g. data-step. */
  attrs?: Record<string, string>;
}

const SERIES_COLORS = 8;
const HELP_ID = "chart-help";

function heightFor(width: number): number {
  return Math.round(Math.min(380, Math.max(220, width * 0.42)));
}

function themeColors(el: Element): ChartColors {
  const style = getComputedStyle(el);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    axis: v("--muted", "#555"),
    grid: v("--grid", "rgba(0,0,0,0.1)"),
    series: Array.from({ length: SERIES_COLORS }, (_, i) => v(`--series-${i + 1}`, "#0b5cad")),
  };
}

/**
 * Several series on one uPlot chart with a shared time axis, sized by its container. A drag
 * selects a window (reported, not zoomed locally); arrow keys pan while the chart has focus.
 * Theme, language, series and band layout rebuild the plot; new data only calls setData.
 */
export function TimeChart({ series, cols, window: range, onZoom, onPan, onRemove, attrs }: TimeChartProps) {
  const { theme, lang } = usePrefs();
  const boxRef = useRef<HTMLElement>(null);
  const plotRef = useRef<uPlot | null>(null);
  const [hover, setHover] = useState<number | null>(null);
  // Callbacks and the latest props, read by uPlot's hooks without rebuilding the plot.
  const live = useRef({ range, cols, onZoom });
  live.current = { range, cols, onZoom };
  const layout = layoutOf(cols ?? { lines: series.map(() => []), bands: [] });
  const shape = JSON.stringify([series, layout, theme, lang]);

  useEffect(() => {
    const box = boxRef.current;
    if (!box) return;
    const width = box.clientWidth || 320;
    const opts = buildOptions({
      width,
      height: heightFor(width),
      series,
      layout,
      colors: themeColors(box),
      window: () => live.current.range,
      formatValue: formatNumber,
      locale: t.numberLocale,
      onZoom: (from, to) => live.current.onZoom(from, to),
      onHover: setHover,
    });
    const data = live.current.cols ? toUplot(live.current.cols) : [[], ...layout.lines.map(() => [])];
    const plot = new uPlot(opts, data as uPlot.AlignedData, box);
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
    // `shape` stands for series, layout, theme and language; data and callbacks are read from refs.
  }, [shape]);

  useEffect(() => {
    if (cols) plotRef.current?.setData(toUplot(cols) as uPlot.AlignedData);
  }, [cols, range]);

  const counts = cols ? drawnCounts(cols) : [];
  const lasts = cols ? lastValues(cols) : [];
  const total = counts.reduce((a, b) => a + b, 0);
  const atCursor =
    cols && hover !== null && hover < cols.x.length
      ? { ts: cols.x[hover] as number, values: cols.lines.map((l) => l[hover] ?? undefined) }
      : undefined;
  const names = series.map((s) => s.label).join(", ");

  return (
    <div class="chart-wrap">
      <section
        ref={boxRef}
        class="chart"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: focusable so keyboard users can pan it with the arrow keys
        tabIndex={0}
        aria-label={t.chartLabel(names)}
        aria-describedby={HELP_ID}
        data-testid="chart"
        data-series={series.length}
        data-points={total}
        data-counts={counts.join(",")}
        data-last={lasts[0] ?? ""}
        data-band={String(layout.bands.some(Boolean))}
        data-from={range ? Math.round(range.from) : ""}
        data-to={range ? Math.round(range.to) : ""}
        onKeyDown={(e) => {
          if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
          e.preventDefault();
          onPan(e.key === "ArrowLeft" ? -1 : 1);
        }}
        {...attrs}
      />
      {cols && total === 0 && <p class="chart-empty">{t.chartEmpty}</p>}
      <p id={HELP_ID} class="sr-only">
        {t.chartHelp}
      </p>
      <ChartLegend series={series} lasts={lasts} cursor={atCursor} onRemove={onRemove} />
    </div>
  );
}
