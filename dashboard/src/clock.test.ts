import { describe, expect, it } from "vitest";
import { estimateOffset } from "./clock.js";

describe("estimateOffset", () => {
  const sent = Date.parse("2025-01-01T12:00:00.000Z");
  it("ignores a missing or unparsable Date header", () => {
    expect(estimateOffset(null, sent, sent + 100)).toBe(0);
    expect(estimateOffset("garbage", sent, sent + 100)).toBe(0);
  });

  it("ignores differences within the header's resolution", () => {
    expect(estimateOffset("Wed, 01 Jan 2025 12:00:01 GMT", sent, sent + 100)).toBe(0);
  });

  it("measures a server clock that is far off", () => {
    // Server says 12:05:00 (±1 s) while the browser is at 12:00:00.05.
    expect(estimateOffset("Wed, 01 Jan 2025 12:05:00 GMT", sent, sent + 100)).toBe(300_000 + 500 - 50);
    expect(estimateOffset("Wed, 01 Jan 2025 11:00:00 GMT", sent, sent + 100)).toBe(-3_600_000 + 500 - 50);
  });
});
