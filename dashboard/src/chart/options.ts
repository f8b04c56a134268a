import type uPlot from "uplot";
import type { Layout } from "./data.js";
import { timeTicks } from "./time-axis.js";

/** Colours a chart takes from the page's theme (CSS custom properties), read when it is created. */
export interface ChartColors {
  axis: string;
  grid: string;
  /** One per series, in legend order; repeats when there are more series than colours. */
  series: string[];
}

export interface ChartSeries {
  label: string;
  unit?: string | undefined;
  /** Digits the legend shows, from the point's profile (else about four significant digits). */
  decimals?: number | undefined;
}

export interface OptionsInput {
  width: number;
  height: number;
  series: readonly ChartSeries[];
  layout: Layout;
  colors: ChartColors;
  /** The x window in ms; a fixed window keeps a half-empty range at its full width. */
  window: () => { from: number; to: number } | undefined;
  formatValue: (v: number) => string;
  /** BCP 47 tag for the time axis. */
  locale: string;
  /** A drag across the plot selected this window (ms). */
  onZoom: (from: number, to: number) => void;
  /** The cursor moved to a row of the data, or left the plot (null). */
  onHover: (idx: number | null) => void;
}

export const seriesColor = (colors: ChartColors, i: number) =>
  colors.series[i % Math.max(1, colors.series.length)] ?? colors.axis;

/** "#rrggbb" (or "#rgb") with an alpha, for the band behind a line; other colour syntaxes pass through. */
export function withAlpha(color: string, alpha: number): string {
  const hex = color.trim().replace(/^#/, "");
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join("") : hex;
  if (!/^[0-9a-f]{6}$/i.test(full)) return color;
  const [r, g, b] = [0, 2, 4].map((i) => Number.parseInt(full.slice(i, i + 2), 16));
  return `rgba(${r},${g},${b},${alpha})`;
}

/** Scale key of a series: one y scale per unit, so volts and amps each get their own axis. */
export const scaleOf = (s: ChartSeries) => `y:${s.unit ?? ""}`;

/** Width of a y axis from its longest label (~7 px per character of the 12 px axis font). */
function yAxisSize(_u: uPlot, values: string[] | undefined): number {
  const longest = (values ?? []).reduce((max, v) => Math.max(max, String(v).length), 0);
  return Math.max(40, Math.ceil(longest * 7 + 18));
}

/**
 * uPlot options for several series on one time axis: lines over their min–max bands, gaps as
 * gaps, one y axis per unit (first on the left, next on the right, …), and drag-to-zoom that
 * reports the window instead of zooming locally, so the caller can query at the finer step.
 */
export function buildOptions(o: OptionsInput): uPlot.Options {
  const { colors, layout } = o;
  const axisStyle = {
    stroke: colors.axis,
    grid: { stroke: colors.grid, width: 1 },
    ticks: { stroke: colors.grid, width: 1 },
  };
  const scaleKeys = [...new Set(o.series.map(scaleOf))];
  const columns: uPlot.Series[] = [{}];
  const bands: uPlot.Band[] = [];
  o.series.forEach((s, i) => {
    const pair = layout.bands[i];
    if (!pair) return;
    const edge = { scale: scaleOf(s), stroke: "transparent", width: 0, points: { show: false } };
    columns[pair[0]] = { ...edge, label: `${s.label} max` };
    columns[pair[1]] = { ...edge, label: `${s.label} min` };
    bands.push({ series: pair, fill: withAlpha(seriesColor(colors, i), 0.18) });
  });
  o.series.forEach((s, i) => {
    columns[layout.lines[i] as number] = {
      label: s.label,
      scale: scaleOf(s),
      stroke: seriesColor(colors, i),
      width: 2,
      spanGaps: false,
      points: { show: false },
    };
  });
  const yAxes: uPlot.Axis[] = scaleKeys.map((scale, i) => ({
    ...axisStyle,
    scale,
    side: i % 2 ? 1 : 3,
    grid: i === 0 ? axisStyle.grid : { show: false },
    label: scale.slice(2) || undefined,
    labelSize: scale.slice(2) ? 20 : 0,
    size: yAxisSize,
    values: (_u, splits) => splits.map((v) => o.formatValue(v)),
  }));
  return {
    width: o.width,
    height: o.height,
    legend: { show: false },
    scales: {
      x: {
        time: true,
        range: (_u, min, max) => {
          const w = o.window();
          return w ? [w.from / 1000, w.to / 1000] : [min, max];
        },
      },
    },
    series: columns,
    bands,
    axes: [
      {
        ...axisStyle,
        size: 50,
        values: (_u, splits, _axis, _space, incr) => timeTicks(splits, incr, o.locale),
      },
      ...yAxes,
    ],
    cursor: { drag: { x: true, y: false, setScale: false, dist: 8 }, points: { show: false } },
    hooks: {
      setSelect: [
        (u) => {
          const { left, width } = u.select;
          if (width <= 0) return;
          const from = u.posToVal(left, "x") * 1000;
          const to = u.posToVal(left + width, "x") * 1000;
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          o.onZoom(from, to);
        },
      ],
      setCursor: [(u) => o.onHover(u.cursor.idx ?? null)],
    },
  };
}
