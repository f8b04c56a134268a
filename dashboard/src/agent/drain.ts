/**
 * How fast the agent's backlog drains, estimated in the browser from successive polls of
 * `seq.acked` (every seq up to it is acknowledged or dropped). Pure: callers pass the time.
 *
 * The rate is the acked seq's advance over the last ~10 s (a moving average), then smoothed
 * exponentially so batches entering and leaving the window do not make the ETA jump. A window
 * with no progress at all reads as 0 at once: a stalled uplink must not show a fading rate.
 */

export interface DrainSample {
  /** Monotonic time of the poll's answer, in ms. */
  at: number;
  acked: number;
}

export interface DrainState {
  /** Samples inside the window, oldest first. */
  samples: DrainSample[];
  /** Smoothed readings per second; undefined until the samples span MIN_SPAN_MS. */
  rate: number | undefined;
}

export const WINDOW_MS = 10_000;
/** Shorter spans give too noisy a rate to show. */
export const MIN_SPAN_MS = 1_500;
/** Time constant of the exponential smoothing applied on top of the window average. */
export const SMOOTHING_MS = 4_000;

export const initialDrain: DrainState = { samples: [], rate: undefined };

/** The state after one more poll. */
export function addSample(state: DrainState, sample: DrainSample, windowMs = WINDOW_MS): DrainState {
  const prev = state.samples[state.samples.length - 1];
  if (prev && sample.at <= prev.at) return state; // same answer seen twice, or a clock hiccup
  // The acked seq never goes back on one agent: a lower one is a restarted or replaced buffer.
  if (prev && sample.acked < prev.acked) return { samples: [sample], rate: undefined };

  const cutoff = sample.at - windowMs;
  const samples = [...state.samples.filter((s) => s.at >= cutoff), sample];
  const first = samples[0] as DrainSample;
  const span = sample.at - first.at;
  // After a gap in polling (hidden tab, API down) the window restarts: no rate from stale data.
  if (span < MIN_SPAN_MS) return { samples, rate: undefined };

  const windowRate = ((sample.acked - first.acked) / span) * 1000;
  let rate = windowRate;
  if (windowRate > 0 && state.rate !== undefined && prev) {
    const alpha = 1 - Math.exp(-(sample.at - prev.at) / SMOOTHING_MS);
    rate = state.rate + alpha * (windowRate - state.rate);
  }
  return { samples, rate };
}

/** Time until the backlog is sent at `rate`, in ms; undefined when there is no estimate (or nothing to send). */
export function drainEtaMs(backlog: number, rate: number | undefined): number | undefined {
  if (rate === undefined || !(rate > 0) || !Number.isFinite(rate) || !(backlog > 0)) return undefined;
  return (backlog / rate) * 1000;
}
