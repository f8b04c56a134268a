import { createBackoff } from "./backoff.js";

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
 * A thousand gateways cut off together so spread their attempts over the window instead of
 * hitting the server in lockstep every second.
 */
export function createReconnectPolicy({
  initialMs = 250,
  maxMs = 30_000,
  random,
}: ReconnectPolicyOptions = {}) {
  const backoff = createBackoff({ initialMs, maxMs, jitter: 1 });
  let current = backoff.next(random);
  return {
    /** For ConnectionOptions.reconnectDelayHandler. */
    delayMs: () => current,
    /** A dial is starting: the next one waits one step longer (drawn with full jitter). */
    dialing() {
      current = backoff.next(random);
      return current;
    },
    connected() {
      backoff.reset();
      current = backoff.next(random);
    },
    get attempts() {
      return backoff.attempts;
    },
  };
}

export type ReconnectPolicy = ReturnType<typeof createReconnectPolicy>;
