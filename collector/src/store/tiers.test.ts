import { describe, expect, it } from "vitest";
import { ROLLUP_TIERS, tierFor, tierOf } from "./tiers.js";

const MIN = 60_000;

describe("rollup tiers", () => {
  it("each tier's width divides the next one's, so a coarser bucket is whole finer ones", () => {
    for (let i = 1; i < ROLLUP_TIERS.length; i++) {
      const [finer, coarser] = [ROLLUP_TIERS[i - 1], ROLLUP_TIERS[i]];
      expect((coarser?.ms ?? 0) % (finer?.ms ?? 1)).toBe(0);
    }
  });

  it("a chart step is read from the coarsest tier that tiles it", () => {
    expect(tierFor(5_000)).toBeUndefined(); // finer than a minute: raw readings
    expect(tierFor(90_000)).toBeUndefined(); // not whole minutes
    expect(tierFor(MIN)?.table).toBe("rollup_1m");
    expect(tierFor(5 * MIN)?.table).toBe("rollup_1m");
    expect(tierFor(30 * MIN)?.table).toBe("rollup_15m");
    expect(tierFor(45 * MIN)?.table).toBe("rollup_15m");
    expect(tierFor(90 * MIN)?.table).toBe("rollup_15m"); // 1.5 h: not whole hours
    expect(tierFor(6 * 60 * MIN)?.table).toBe("rollup_1h");
    expect(tierFor(7 * 86_400_000)?.table).toBe("rollup_1d");
    expect(tierOf("rollup_1h").ms).toBe(3_600_000);
  });
});
