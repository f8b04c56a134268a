import type { BufferStats } from "./buffer.js";

/** What status, heartbeat and dashboards say about the backlog: queued readings count too. */
export function backlogSummary(stats: BufferStats, now: number) {
  return {
    backlog: stats.backlog + stats.pending,
    oldestUnsentAgeMs: stats.oldestUnsentTs === null ? null : Math.max(0, now - stats.oldestUnsentTs),
    lastSeq: stats.lastSeq,
    dropped: stats.dropped,
    droppedRanges: stats.droppedRanges,
  };
}
