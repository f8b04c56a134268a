import { createBackoff } from "@tidegate/node-kit";
import type { Logger } from "pino";
import type { NotifyEvent } from "./event.js";

/** One configured target, ready to send. */
export interface Deliverer {
  name: string;
  type: "webhook" | "mqtt";
  wants(e: NotifyEvent): boolean;
  /** Resolves once delivered; rejects with the reason (an error with `permanent: true` is not retried). */
  send(e: NotifyEvent): Promise<void>;
}

export interface NotifierOptions {
  targets: Deliverer[];
  log: Logger;
  /** Events waiting per target; past it the oldest waiting one is dropped and counted. */
  maxQueue?: number;
  /** Tries of one event before it counts as failed. */
  maxAttempts?: number;
  /** Wait before the second try, doubling each time up to maxMs (with jitter). */
  backoff?: { initialMs?: number; maxMs?: number };
  now?: () => number;
}

export type Outcome = "delivered" | "retried" | "failed" | "dropped";

export interface TargetStatus {
  name: string;
  type: Deliverer["type"];
  queued: number;
  counts: Record<Outcome, number>;
  lastDeliveredAt?: number;
  lastError?: { at: number; message: string };
}

/** A thrown error that retrying cannot fix (a 4xx answer). */
export function permanent(message: string): Error {
  return Object.assign(new Error(message), { permanent: true });
}

/**
 * Sends alert events to every target that wants them, in order, one at a time per target, with
 * retries and backoff (5 tries over about a minute by default). Everything is in memory and runs
 * beside the rules: notify() only queues, so a slow or dead target never holds up readings or
 * rules. During a long outage of a target its queue fills and the oldest events are dropped and
 * counted; a restart forgets what was queued (the alerts themselves are kept in the alerts store).
 */
export function createNotifier(o: NotifierOptions) {
  const maxQueue = o.maxQueue ?? 1000;
  const maxAttempts = o.maxAttempts ?? 5;
  const now = o.now ?? Date.now;
  let stopped = false;
  const wakers = new Set<() => void>();

  const states = o.targets.map((target) => ({
    target,
    queue: [] as NotifyEvent[],
    running: false,
    status: {
      name: target.name,
      type: target.type,
      queued: 0,
      counts: { delivered: 0, retried: 0, failed: 0, dropped: 0 },
    } as TargetStatus,
  }));
  type State = (typeof states)[number];

  /** A wait that stop() cuts short. */
  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      wakers.add(wake);
    });
  }

  async function deliver(s: State, e: NotifyEvent): Promise<boolean> {
    const backoff = createBackoff({ initialMs: 2000, maxMs: 30_000, ...o.backoff });
    for (let attempt = 1; ; attempt++) {
      try {
        await s.target.send(e);
        s.status.lastDeliveredAt = now();
        return true;
      } catch (err) {
        const message = (err as Error).message;
        s.status.lastError = { at: now(), message };
        const final = (err as { permanent?: boolean }).permanent === true || attempt >= maxAttempts;
        if (final || stopped) {
          o.log.warn(
            { target: s.target.name, rule: e.rule, device: e.device, state: e.state, attempts: attempt },
            `alert notification not delivered: ${message}`,
          );
          return false;
        }
        s.status.counts.retried += 1;
        await pause(backoff.next());
        if (stopped) return false;
      }
    }
  }

  async function pump(s: State) {
    if (s.running) return;
    s.running = true;
    try {
      for (let e = s.queue.shift(); e && !stopped; e = s.queue.shift()) {
        s.status.queued = s.queue.length;
        s.status.counts[(await deliver(s, e)) ? "delivered" : "failed"] += 1;
      }
    } finally {
      s.status.queued = s.queue.length;
      s.running = false;
    }
  }

  return {
    /** Queues the events for every target that wants them; returns at once. */
    notify(events: readonly NotifyEvent[]) {
      if (stopped) return;
      for (const s of states) {
        for (const e of events) {
          if (!s.target.wants(e)) continue;
          s.queue.push(e);
          if (s.queue.length > maxQueue) {
            s.queue.shift();
            s.status.counts.dropped += 1;
          }
        }
        s.status.queued = s.queue.length;
        void pump(s);
      }
    },
    status: (): TargetStatus[] => states.map((s) => ({ ...s.status, counts: { ...s.status.counts } })),
    /** Stops sending; what is still queued is forgotten (counted nowhere: the agent is stopping). */
    stop() {
      stopped = true;
      for (const wake of [...wakers]) wake();
    },
  };
}
export type Notifier = ReturnType<typeof createNotifier>;
