import { describe, expect, it } from "vitest";
import { OptionsError, parseCollectorOptions } from "./options.js";

describe("--clock-jump-ms", () => {
  it("defaults to 2 s, reads TIDEGATE_CLOCK_JUMP_MS, and the flag wins", () => {
    expect(parseCollectorOptions({}, {}).clockJumpMs).toBe(2000);
    expect(parseCollectorOptions({}, { TIDEGATE_CLOCK_JUMP_MS: "5000" }).clockJumpMs).toBe(5000);
    expect(
      parseCollectorOptions({ "clock-jump-ms": "750" }, { TIDEGATE_CLOCK_JUMP_MS: "5000" }).clockJumpMs,
    ).toBe(750);
  });

  it("refuses a value that is not a positive whole number of milliseconds, naming the flag", () => {
    expect(() => parseCollectorOptions({ "clock-jump-ms": "soon" }, {})).toThrow(OptionsError);
    expect(() => parseCollectorOptions({ "clock-jump-ms": "0" }, {})).toThrow(/--clock-jump-ms: /);
  });
});
