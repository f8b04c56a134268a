import { useMemo, useState } from "preact/hooks";
import { api, usePoll } from "../api.js";
import { appendLive, type Columns, toColumns } from "../chart/data.js";
import type { SeriesQuery } from "../chart/query.js";
import {
  type PresetId,
  pan,
  pollInterval,
  presetRange,
  resolveWindow,
  type TimeRange,
  type Window,
  windowRange,
} from "../chart/range.js";
import { serverNow } from "../clock.js";
import type { PointRef } from "./selection.js";
import { useLiveFeed } from "./useLiveFeed.js";

export interface ChartView {
  cols: Columns;
  window: Window;
  /** What was asked, for the CSV link. */
  query: SeriesQuery;
  /** Readings pushed live since the last poll. */
  liveCount: number;
}

/**
 * One chart of a gateway's points: the time range (preset, zoomed, panned or typed in), one
 * request for all its series (averages with min–max bands when downsampled), polled again while
 * shown, and live readings appended while the range ends now.
 */
export function useChart(gateway: string | undefined, series: readonly PointRef[], ready: boolean) {
  const [range, setRange] = useState<TimeRange>(() => presetRange("15m"));
  // The preset a reset returns to: the last one picked.
  const [base, setBase] = useState<PresetId>("15m");
  const keys = gateway ? series.map((s) => `${gateway}/${s.device}/${s.point}`) : [];
  const pollKey = ready && keys.length > 0 ? JSON.stringify([keys, range]) : "";

  const poll = usePoll<Omit<ChartView, "liveCount"> | undefined>(
    async (signal) => {
      if (!pollKey) return undefined;
      const window = resolveWindow(range, serverNow());
      const query: SeriesQuery = { series: keys, ...window, step: "auto", agg: "minmax" };
      return { cols: toColumns(await api.series(query, signal)), window, query };
    },
    pollInterval(range),
    pollKey,
  );

  const live = useLiveFeed(range.live && pollKey ? keys : []);
  const polled = poll.data;
  const view = useMemo((): ChartView | undefined => {
    if (!polled) return undefined;
    const lastX = polled.cols.x.at(-1) ?? Number.NEGATIVE_INFINITY;
    const appended = appendLive(polled.cols, live, polled.window);
    return { ...polled, ...appended, liveCount: live.filter((p) => p.ts > lastX).length };
  }, [polled, live]);

  return {
    range,
    view,
    error: poll.error,
    selectPreset: (id: PresetId) => {
      setBase(id);
      setRange(presetRange(id));
    },
    /** A window picked by a drag or typed in (ms). */
    showWindow: (from: number, to: number) => setRange(windowRange(from, to, serverNow())),
    pan: (direction: -1 | 1) => setRange((r) => pan(r, direction, serverNow())),
    resetZoom: () => setRange(presetRange(base)),
  };
}
