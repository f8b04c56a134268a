import type { Reading } from "@tidegate/protocol";
import { createSeriesMap } from "./series-map.js";

/** The newest reading of every point, for the local dashboard and /api/v1/latest. */
export function createLatest() {
  const bySeries = createSeriesMap<Reading>();
  return {
    update(readings: readonly Reading[]) {
      for (const r of readings) bySeries.set(r.device, r.point, r);
    },
    all: (): Reading[] => [...bySeries.values()],
  };
}
export type Latest = ReturnType<typeof createLatest>;
