/**
 * Values by device and point, without building a "device/point" string for every reading: the
 * latest values and the local history look a series up for each of thousands of readings a second.
 */
export function createSeriesMap<T>() {
  const byDevice = new Map<string, Map<string, T>>();
  let size = 0;
  return {
    get: (device: string, point: string): T | undefined => byDevice.get(device)?.get(point),
    /** One device's values by point (empty when none). */
    device: (device: string): ReadonlyMap<string, T> => byDevice.get(device) ?? new Map(),
    has: (device: string): boolean => byDevice.has(device),
    set(device: string, point: string, value: T): void {
      let points = byDevice.get(device);
      if (!points) {
        points = new Map();
        byDevice.set(device, points);
      }
      if (!points.has(point)) size += 1;
      points.set(point, value);
    },
    get size() {
      return size;
    },
    *values(): IterableIterator<T> {
      for (const points of byDevice.values()) yield* points.values();
    },
  };
}
