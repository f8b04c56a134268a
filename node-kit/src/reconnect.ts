export interface ReconnectPolicyOptions {
  initialMs?: number;
  maxMs?: number;
  random?: () => number;
}

/**
 * The NATS client's reconnect pacing for a fleet: exponential backoff with full jitter, one step
 * per dial. The client asks `delayMs()` on every turn of its dial loop and dials once the last
 * dial is that old, so the delay must hold still between dials: it is drawn anew only when a dial
 * starts (`dialing()`, from the client's synchronous `reconnectToServer` hook: its status events
 * arrive too late, after the loop has asked again) and reset on "reconnect".
 *
 * A fleet loses its server all at once, and the client would redial at once: the first dial after
 * a loss is held a random time within the fleet's spread window (`hold()`, which the collector
 * sizes to the fleet through `spread()`: see protocol/src/fleet-pacing.ts), and the steps grow from that window,
 * so a thousand gateways dial about as often in the outage's first seconds as in its tenth minute.
 */
export function createReconnectPolicy({
  initialMs = 250,
  maxMs = 30_000,
  random = Math.random,
}: ReconnectPolicyOptions = {}) {
  let spreadMs = 0;
  let attempt = 0;
  // Set by connected(): the next dial is the first after a loss. The first connect is not held.
  let lost = false;
  const draw = () => Math.round(Math.min(maxMs, Math.max(initialMs, spreadMs) * 2 ** attempt) * random());
  let current = draw();
  return {
    /** For ConnectionOptions.reconnectDelayHandler. */
    delayMs: () => current,
    /** A dial is starting: the next one waits one step longer (drawn with full jitter). */
    dialing() {
      attempt += 1;
      current = draw();
      return current;
    },
    /** How long to hold the dial that is starting: within the spread window for the first after a loss, else 0. */
    hold(): number {
      if (!lost) return 0;
      lost = false;
      return Math.round(Math.max(initialMs, spreadMs) * random());
    },
    /** The fleet's spread window in ms (0: none known, the steps start at initialMs). */
    spread(ms: number) {
      spreadMs = Math.min(maxMs, Math.max(0, ms));
    },
    get spreadMs() {
      return spreadMs;
    },
    connected() {
      attempt = 0;
      lost = true;
      current = draw();
    },
    get attempts() {
      return attempt;
    },
  };
}

export type ReconnectPolicy = ReturnType<typeof createReconnectPolicy>;
