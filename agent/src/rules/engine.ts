import type { Reading } from "@tidegate/protocol";
import type { Rule } from "./schema.js";

export interface AlertEvent {
  rule: string;
  device: string;
  point: string;
  severity: Rule["severity"];
  state: "raised" | "cleared";
  /** When the condition was decided (reading time, or the clock for stale). */
  at: number;
  value: number | null;
  message: string;
}

/** What one rule remembers about one device's point. */
interface Watch {
  active: boolean;
  /** threshold: since when the value is past the limit. */
  pastSince?: number;
  /** rate and flatline: the previous good reading. */
  prev?: { ts: number; value: number };
  /** flatline: where the value has been sitting, and since when. */
  flat?: { since: number; value: number };
  /** stale: the last good reading's time (or when watching began). */
  lastGood?: number;
  /** anomaly: exponentially weighted mean and variance, and how many readings they saw. */
  ewma?: { mean: number; variance: number; n: number };
}

const numeric = (r: Reading): number | null =>
  r.quality === "good" && (typeof r.value === "number" || typeof r.value === "boolean")
    ? Number(r.value)
    : null;

/**
 * Evaluates edge rules on readings as they arrive, and on the clock for "no reading" conditions.
 * Each (rule, device) raises once and clears once: limits have hysteresis and durations so a value
 * hovering at the limit does not flap. Pure: the caller stores and sends the events.
 */
/** A reading as an alert message says it: six significant digits, not a float32's seventeen. */
const shown = (v: number) => Number(v.toPrecision(6));

export function createRuleEngine(rules: readonly Rule[], startedAt: number) {
  const watches = new Map<string, Watch>();
  const knownDevices = new Map<string, Set<string>>(); // point -> devices seen with it

  const watch = (rule: Rule, device: string): Watch => {
    const key = `${rule.id}\u0000${device}`;
    const w = watches.get(key) ?? { active: false, lastGood: startedAt };
    watches.set(key, w);
    return w;
  };

  function event(
    rule: Rule,
    device: string,
    state: AlertEvent["state"],
    at: number,
    value: number | null,
    why: string,
  ) {
    return {
      rule: rule.id,
      device,
      point: rule.point,
      severity: rule.severity,
      state,
      at,
      value,
      message: why,
    };
  }

  /** Raises or clears when `past` says so and the state differs; returns the event, if any. */
  function decide(
    rule: Rule,
    device: string,
    w: Watch,
    past: boolean,
    at: number,
    value: number | null,
    why: string,
  ) {
    if (past === w.active) return undefined;
    w.active = past;
    return event(rule, device, past ? "raised" : "cleared", at, value, why);
  }

  function evaluate(rule: Rule, device: string, r: Reading): AlertEvent | undefined {
    const v = numeric(r);
    const w = watch(rule, device);
    if (v === null) return undefined; // bad readings are gaps: stale handles silence
    const prev = w.prev;
    w.prev = { ts: r.ts, value: v };
    w.lastGood = r.ts;
    switch (rule.type) {
      case "threshold": {
        const limit = (rule.above ?? rule.below) as number;
        const sign = rule.above !== undefined ? 1 : -1;
        const past = sign * (v - limit) > 0;
        const back = sign * (v - (limit - sign * rule.hysteresis)) < 0;
        if (past) w.pastSince ??= r.ts;
        else w.pastSince = undefined;
        if (!w.active && past && r.ts - (w.pastSince as number) >= rule.forS * 1000)
          return decide(
            rule,
            device,
            w,
            true,
            r.ts,
            v,
            `${rule.point} is ${shown(v)}, ${sign > 0 ? "above" : "below"} ${limit}`,
          );
        if (w.active && back)
          return decide(rule, device, w, false, r.ts, v, `${rule.point} is back to ${shown(v)}`);
        return undefined;
      }
      case "rate": {
        if (!prev || r.ts <= prev.ts) return undefined;
        const perS = Math.abs(v - prev.value) / ((r.ts - prev.ts) / 1000);
        return decide(
          rule,
          device,
          w,
          perS > rule.maxPerS,
          r.ts,
          v,
          perS > rule.maxPerS
            ? `${rule.point} changes by ${perS.toPrecision(3)}/s, more than ${rule.maxPerS}/s`
            : `${rule.point} changes by ${perS.toPrecision(3)}/s again`,
        );
      }
      case "stale":
        return decide(rule, device, w, false, r.ts, v, `${rule.point} reads again`);
      case "flatline": {
        if (!w.flat || Math.abs(v - w.flat.value) > rule.tolerance) {
          w.flat = { since: r.ts, value: v };
          return decide(rule, device, w, false, r.ts, v, `${rule.point} moves again`);
        }
        const stuck = r.ts - w.flat.since >= rule.forS * 1000;
        return stuck
          ? decide(rule, device, w, true, r.ts, v, `${rule.point} stuck at ${shown(v)} for ${rule.forS} s`)
          : undefined;
      }
      case "anomaly": {
        const e = w.ewma ?? { mean: v, variance: 0, n: 0 };
        w.ewma = e;
        let out: AlertEvent | undefined;
        const sd = Math.sqrt(e.variance);
        if (e.n >= rule.warmup && sd > 0) {
          const z = Math.abs(v - e.mean) / sd;
          // Clears a little inside the limit, so one borderline reading does not flap the alert.
          if (!w.active && z > rule.zScore)
            out = decide(
              rule,
              device,
              w,
              true,
              r.ts,
              v,
              `${rule.point} is ${shown(v)}, ${z.toFixed(1)} σ from its usual ${e.mean.toPrecision(4)}`,
            );
          else if (w.active && z < rule.zScore * 0.8)
            out = decide(rule, device, w, false, r.ts, v, `${rule.point} is usual again`);
        }
        const diff = v - e.mean;
        e.mean += rule.alpha * diff;
        e.variance = (1 - rule.alpha) * (e.variance + rule.alpha * diff * diff);
        e.n += 1;
        return out;
      }
    }
  }

  return {
    /** Feeds readings; returns the alerts they raised or cleared. */
    onReadings(readings: readonly Reading[]): AlertEvent[] {
      const out: AlertEvent[] = [];
      for (const r of readings) {
        const seen = knownDevices.get(r.point) ?? new Set();
        seen.add(r.device);
        knownDevices.set(r.point, seen);
        for (const rule of rules) {
          if (rule.point !== r.point || (rule.device !== undefined && rule.device !== r.device)) continue;
          const e = evaluate(rule, r.device, r);
          if (e) out.push(e);
        }
      }
      return out;
    },
    /** Checks conditions that readings cannot report: silence. Call every second or so. */
    tick(now: number): AlertEvent[] {
      const out: AlertEvent[] = [];
      for (const rule of rules) {
        if (rule.type !== "stale") continue;
        const devices = rule.device ? [rule.device] : [...(knownDevices.get(rule.point) ?? [])];
        for (const device of devices) {
          const w = watch(rule, device);
          if (!w.active && now - (w.lastGood ?? startedAt) >= rule.afterS * 1000) {
            const e = decide(
              rule,
              device,
              w,
              true,
              now,
              null,
              `no good ${rule.point} reading for ${rule.afterS} s`,
            );
            if (e) out.push(e);
          }
        }
      }
      return out;
    },
  };
}
export type RuleEngine = ReturnType<typeof createRuleEngine>;
