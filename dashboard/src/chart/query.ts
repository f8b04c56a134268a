/** The collector's series queries: one request for every point on a chart, the CSV link the same. */

export interface SeriesQuery {
  /** "gateway/device/point" each, in legend order. */
  series: readonly string[];
  from: number;
  to: number;
  /** "auto" lets the collector pick (raw readings when few); a number is a bucket width in ms. */
  step: "auto" | "raw" | number;
  /** minmax: the average per bucket plus the min and max that make the band. */
  agg: "avg" | "minmax";
}

export function seriesParams(q: SeriesQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const s of q.series) params.append("series", s);
  params.set("from", String(Math.round(q.from)));
  params.set("to", String(Math.round(q.to)));
  params.set("step", String(q.step));
  params.set("agg", q.agg);
  return params;
}

/** Relative to the page, so the dashboard also works behind a path prefix. */
export const seriesUrl = (q: SeriesQuery) => `api/v1/series?${seriesParams(q)}`;

/**
 * The CSV of what a chart shows: the same series and window, and the step the collector actually
 * used, so a later "auto" cannot pick a different resolution than the one drawn.
 */
export function csvUrl(q: SeriesQuery, shownStep: number | "raw" | undefined): string {
  return `api/v1/series.csv?${seriesParams({ ...q, step: shownStep ?? q.step })}`;
}
