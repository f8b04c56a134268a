export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  /** 0..1: fraction of the delay that is randomised, so a fleet does not reconnect in lockstep. */
  jitter?: number;
}

/** Exponential backoff with jitter; `next()` gives the next delay, `reset()` after a success. */
export function createBackoff({ initialMs = 250, maxMs = 30_000, jitter = 0.3 }: BackoffOptions = {}) {
  let attempt = 0;
  return {
    next(random: () => number = Math.random): number {
      const base = Math.min(maxMs, initialMs * 2 ** attempt);
      attempt += 1;
      return Math.round(base * (1 - jitter + jitter * random()));
    },
    reset() {
      attempt = 0;
    },
    get attempts() {
      return attempt;
    },
  };
}
