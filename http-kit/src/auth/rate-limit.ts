/**
 * Failed logins per key (address + user name) in a sliding window: after `max` failures the key
 * waits until the oldest one leaves the window. Kept in memory: a restart forgets, which is fine
 * for slowing down guessing, and nothing is written per attempt.
 */
export function createLoginLimiter(o: { max?: number; windowMs?: number; now?: () => number } = {}) {
  const max = o.max ?? 5;
  const windowMs = o.windowMs ?? 15 * 60_000;
  const now = o.now ?? Date.now;
  const failures = new Map<string, number[]>();

  const recent = (key: string) => {
    const t = now();
    const list = (failures.get(key) ?? []).filter((at) => t - at < windowMs);
    if (list.length === 0) failures.delete(key);
    else failures.set(key, list);
    return list;
  };

  return {
    /** Milliseconds until `key` may try again; 0 when it may try now. */
    retryAfterMs(key: string): number {
      const list = recent(key);
      return list.length < max ? 0 : (list[0] as number) + windowMs - now();
    },
    fail(key: string) {
      const list = recent(key);
      list.push(now());
      failures.set(key, list);
      // Bounded: a flood of distinct keys cannot grow memory without end.
      if (failures.size > 10_000) failures.delete(failures.keys().next().value as string);
    },
    succeed: (key: string) => void failures.delete(key),
  };
}
