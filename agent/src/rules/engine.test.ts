import type { Reading } from "@tidegate/protocol";
import { describe, expect, it } from "vitest";
import { createRuleEngine } from "./engine.js";
import { type Rule, ruleSchema } from "./schema.js";

const rule = (r: Record<string, unknown>): Rule => ruleSchema.parse({ id: "r", point: "v", ...r });
const at = (s: number, value: number | null, device = "d1"): Reading => ({
  ts: s * 1000,
  device,
  point: "v",
  value,
  quality: value === null ? "bad" : "good",
});

/** Feeds values one second apart and returns the state changes as "raised@t"/"cleared@t". */
function run(r: Rule, values: (number | null)[]) {
  const engine = createRuleEngine([r], 0);
  return values.flatMap((v, i) => engine.onReadings([at(i, v)]).map((e) => `${e.state}@${i}`));
}

describe("threshold", () => {
  it("raises after the value stays above the limit for forS, clears only below limit minus hysteresis", () => {
    const r = rule({ type: "threshold", above: 250, hysteresis: 5, forS: 2 });
    // 251 at 1..3: raised at 3 (held 2 s); 248 is inside the hysteresis band: still raised; 244 clears.
    expect(run(r, [240, 251, 252, 253, 248, 249, 244])).toEqual(["raised@3", "cleared@6"]);
  });
  it("says the value as a person reads it, not with a float32's seventeen digits", () => {
    const engine = createRuleEngine([rule({ type: "threshold", above: 60, hysteresis: 1 })], 0);
    const [raised] = engine.onReadings([at(0, Math.fround(65.0525))]);
    expect(raised?.message).toBe("v is 65.0525, above 60");
  });
  it("does not flap on a value hovering at the limit", () => {
    const r = rule({ type: "threshold", above: 250, hysteresis: 2 });
    expect(run(r, [251, 249.5, 250.5, 249, 250.1, 247])).toEqual(["raised@0", "cleared@5"]);
  });
  it("below works the other way round; a short dip is ignored", () => {
    const r = rule({ type: "threshold", below: 10, hysteresis: 1, forS: 3 });
    expect(run(r, [12, 9, 12, 9, 9, 9, 9, 10.5, 11.5])).toEqual(["raised@6", "cleared@8"]);
  });
  it("needs exactly one of above and below", () => {
    expect(() => rule({ type: "threshold" })).toThrow(/exactly one of above or below/);
  });
});

describe("rate, flatline, stale, anomaly", () => {
  it("rate: a jump faster than maxPerS raises, a calm change clears", () => {
    expect(run(rule({ type: "rate", maxPerS: 5 }), [230, 231, 240, 241, 242])).toEqual([
      "raised@2",
      "cleared@3",
    ]);
  });
  it("flatline: a value that stops moving for forS raises, any movement clears", () => {
    expect(run(rule({ type: "flatline", forS: 3, tolerance: 0.01 }), [1, 2, 2, 2.005, 2, 2, 3])).toEqual([
      "raised@4",
      "cleared@6",
    ]);
  });
  it("stale: raised on the clock when good readings stop, cleared by the next one; bad readings do not count", () => {
    const engine = createRuleEngine([rule({ type: "stale", afterS: 10, severity: "critical" })], 0);
    engine.onReadings([at(1, 5)]);
    engine.onReadings([at(5, null)]);
    expect(engine.tick(10_000)).toEqual([]);
    const [raised] = engine.tick(11_500);
    expect(raised).toMatchObject({
      state: "raised",
      device: "d1",
      severity: "critical",
      message: "no good v reading for 10 s",
    });
    expect(engine.tick(20_000)).toEqual([]); // once
    expect(engine.onReadings([at(21, 6)]).map((e) => e.state)).toEqual(["cleared"]);
  });
  it("anomaly: learns during warm-up, then raises far outside the usual and clears when back", () => {
    const r = rule({ type: "anomaly", zScore: 4, alpha: 0.1, warmup: 20 });
    const usual = Array.from({ length: 40 }, (_, i) => 230 + (i % 2 ? 0.5 : -0.5));
    expect(run(r, [...usual, 260, 230.2])).toEqual(["raised@40", "cleared@41"]);
    // During warm-up nothing is judged, however odd.
    expect(run(r, [230, 290, 230])).toEqual([]);
  });
  it("watches each device on its own, and a device filter narrows it", () => {
    const engine = createRuleEngine([rule({ type: "threshold", above: 10 })], 0);
    const events = engine.onReadings([at(0, 11, "a"), at(0, 5, "b"), at(1, 12, "b")]);
    expect(events.map((e) => `${e.device}:${e.state}`)).toEqual(["a:raised", "b:raised"]);
    const only = createRuleEngine([rule({ type: "threshold", above: 10, device: "b" })], 0);
    expect(only.onReadings([at(0, 11, "a")])).toEqual([]);
  });
});
