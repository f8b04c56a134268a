import { describe, expect, it } from "vitest";
import { createBackoff } from "./backoff.js";

describe("backoff", () => {
  it("doubles up to the cap and resets", () => {
    const b = createBackoff({ initialMs: 100, maxMs: 1000, jitter: 0 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000]);
    b.reset();
    expect(b.next()).toBe(100);
  });
  it("jitter stays within the band", () => {
    const b = createBackoff({ initialMs: 1000, jitter: 0.5 });
    expect(b.next(() => 0)).toBe(500);
    b.reset();
    expect(b.next(() => 1)).toBe(1000);
  });
});
