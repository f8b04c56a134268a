import { describe, expect, it } from "vitest";
import { clockJumpBy } from "./clock-jump.js";

describe("clockJumpBy", () => {
  it("signs the step: ahead with +, back with a minus sign", () => {
    expect(clockJumpBy(3_600_000)).toBe("+1 h");
    expect(clockJumpBy(-45_000)).toBe("−45 s");
  });

  it("rounds away the delivery jitter of the measurement", () => {
    expect(clockJumpBy(-3_599_400)).toBe("−1 h");
    expect(clockJumpBy(3_600_700)).toBe("+1 h");
    expect(clockJumpBy(-44_600)).toBe("−45 s");
  });
});
