import { GCProfiler, getHeapStatistics } from "node:v8";

/**
 * Bytes the V8 heap takes between collections while `body` runs (v8.GCProfiler's heap sizes
 * before and after each GC): what was allocated, whatever the load on the machine.
 */
export async function allocatedBytes(body: () => unknown): Promise<number> {
  const profiler = new GCProfiler();
  profiler.start();
  const start = getHeapStatistics().used_heap_size;
  await body();
  const end = getHeapStatistics().used_heap_size;
  let bytes = 0;
  let after = start;
  for (const gc of profiler.stop().statistics) {
    bytes += gc.beforeGC.heapStatistics.usedHeapSize - after;
    after = gc.afterGC.heapStatistics.usedHeapSize;
  }
  return bytes + end - after;
}
