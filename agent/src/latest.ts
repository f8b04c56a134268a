import type { Reading } from "@tidegate/protocol";

/** The newest reading of every point, for the local dashboard and /api/v1/latest. */
export function createLatest() {
  const byKey = new Map<string, Reading>();
  return {
    update(readings: readonly Reading[]) {
      for (const r of readings) byKey.set(`${r.device}/${r.point}`, r);
    },
    all: (): Reading[] => [...byKey.values()],
  };
}
export type Latest = ReturnType<typeof createLatest>;
