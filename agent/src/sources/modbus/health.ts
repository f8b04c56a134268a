import type { SourceHealth } from "@tidegate/protocol";

/** Rolling per-device health over the last `window` reads: what operators see as ok/degraded/failing. */
export function createHealth(device: string, window = 20) {
  const outcomes: boolean[] = [];
  let lastError: string | undefined;
  let lastLatencyMs: number | undefined;
  let lastPollTs: number | undefined;
  /** Failed reads by kind (timeout, exception, corrupt, connection), since start. */
  const errors: Record<string, number> = {};
  return {
    record(ok: boolean, latencyMs: number, error?: string, kind?: string) {
      if (!ok && kind) errors[kind] = (errors[kind] ?? 0) + 1;
      outcomes.push(ok);
      if (outcomes.length > window) outcomes.shift();
      lastLatencyMs = latencyMs;
      lastPollTs = Date.now();
      if (error) lastError = error;
      else if (outcomes.slice(-3).every(Boolean)) lastError = undefined;
    },
    snapshot(): SourceHealth & { lastPollTs?: number } {
      const successRate = outcomes.length === 0 ? 0 : outcomes.filter(Boolean).length / outcomes.length;
      // Failing = not answering now (the last three reads failed): a dead device polled with backoff
      // would otherwise look merely "degraded" for minutes while its window fills.
      const recent = outcomes.slice(-3);
      const status =
        outcomes.length === 0
          ? "starting"
          : successRate === 1
            ? "ok"
            : successRate === 0 || (recent.length === 3 && recent.every((ok) => !ok))
              ? "failing"
              : "degraded";
      const h: SourceHealth & { lastPollTs?: number } = { device, status, successRate };
      if (lastError) h.lastError = lastError;
      if (lastLatencyMs !== undefined) h.lastLatencyMs = lastLatencyMs;
      if (lastPollTs !== undefined) h.lastPollTs = lastPollTs;
      if (Object.keys(errors).length > 0) h.errors = { ...errors };
      return h;
    },
  };
}
export type DeviceHealth = ReturnType<typeof createHealth>;
