import { describe, expect, it } from "vitest";
import { createBackoff } from "./backoff.js";
import { createReconnectPolicy } from "./reconnect.js";

describe("reconnect policy", () => {
  it("holds its delay between dials and grows one step per dial", () => {
    const p = createReconnectPolicy({ initialMs: 100, maxMs: 1000, random: () => 1 });
    expect(p.delayMs()).toBe(100);
    // The client's dial loop asks many times while it waits; the answer must not move.
    expect([p.delayMs(), p.delayMs(), p.delayMs()]).toEqual([100, 100, 100]);
    expect(p.dialing()).toBe(200);
    expect(p.delayMs()).toBe(200);
    expect([p.dialing(), p.dialing(), p.dialing(), p.dialing()]).toEqual([400, 800, 1000, 1000]);
    p.connected();
    expect(p.delayMs()).toBe(100);
  });

  it("draws each step with full jitter, within [0, step]", () => {
    const p = createReconnectPolicy({ initialMs: 1000, maxMs: 8000, random: () => 0.5 });
    expect(p.delayMs()).toBe(500);
    expect(p.dialing()).toBe(1000);
    expect(p.dialing()).toBe(2000);
    const low = createReconnectPolicy({ initialMs: 1000, random: () => 0 });
    expect(low.dialing()).toBe(0);
  });

  it("spreads a fleet's attempts over the window", () => {
    // 1000 gateways, each at its 30 s step: attempts in each second of a 30 s window.
    const perSecond = new Array(30).fill(0);
    const random = seeded(7);
    for (let g = 0; g < 1000; g++) {
      const b = createBackoff({ initialMs: 30_000, maxMs: 30_000, jitter: 1 });
      perSecond[Math.min(29, Math.floor(b.next(random) / 1000))] += 1;
    }
    const average = 1000 / 30;
    expect(Math.max(...perSecond)).toBeLessThan(2 * average);
  });
});

/** mulberry32: a fixed sequence, so the spread is the same on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
