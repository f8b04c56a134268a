import { describe, expect, it } from "vitest";
import { grid, MAX_POINTS, parseStep, planQuery, TARGET_POINTS } from "./series-query.js";

describe("chart query planning", () => {
  it("picks the smallest round step that keeps a range under the target", () => {
    expect(planQuery(0, 3_600_000, "auto")).toEqual({ stepMs: 5_000, source: "raw" });
    expect(planQuery(0, 3 * 86_400_000, "auto")).toEqual({ stepMs: 300_000, source: "rollup_1m" });
  });

  it("takes a rollup tier's own width when it still draws a full chart, so each bucket is one row", () => {
    expect(planQuery(0, 30 * 86_400_000, "auto")).toEqual({ stepMs: 3_600_000, source: "rollup_1h" });
    expect(planQuery(0, 7 * 86_400_000, "auto")).toEqual({ stepMs: 900_000, source: "rollup_15m" });
    expect(planQuery(0, 86_400_000, "auto")).toEqual({ stepMs: 60_000, source: "rollup_1m" });
  });

  it("keeps ranges longer than the largest round step to the target in whole weeks, not millions of buckets", () => {
    const to = Number.MAX_SAFE_INTEGER;
    const plan = planQuery(0, to, "auto");
    if (typeof plan === "string") throw new Error(plan);
    expect(plan.stepMs % 604_800_000).toBe(0);
    expect(plan.source).toBe("rollup_1d");
    expect(grid(0, to, plan.stepMs).length).toBeLessThanOrEqual(TARGET_POINTS + 1);
  });

  it("refuses a step too large to be a number of milliseconds", () => {
    expect(parseStep("5m")).toBe(300_000);
    expect(parseStep(`${"9".repeat(400)}d`)).toBeUndefined();
    expect(parseStep("99999999999999d")).toBeUndefined();
    expect(planQuery(0, 3_600_000_000, 1000)).toMatch(new RegExp(`at most ${MAX_POINTS}`));
  });
});
