import { spreadForFleet } from "@tidegate/protocol";
import { describe, expect, it } from "vitest";
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

  it("holds only the first dial after a loss, within the spread window, and grows the steps from it", () => {
    const p = createReconnectPolicy({ initialMs: 100, maxMs: 30_000, random: () => 1 });
    expect(p.hold()).toBe(0); // the first connect goes at once
    p.connected();
    expect(p.hold()).toBe(100); // no spread known: the first step
    expect(p.hold()).toBe(0); // later dials wait their steps instead
    p.spread(15_000);
    p.connected();
    expect(p.hold()).toBe(15_000);
    expect([p.dialing(), p.dialing(), p.dialing()]).toEqual([30_000, 30_000, 30_000]);
    p.spread(90_000);
    expect(p.spreadMs).toBe(30_000); // never past the cap
  });

  it("spreads the redials of a thousand gateways that lost their server together", () => {
    // Every gateway runs the client's dial loop: a held first dial, then one step per dial.
    const seconds = 600;
    const perSecond = new Array(seconds).fill(0);
    const random = seeded(7);
    for (let g = 0; g < 1000; g++) {
      const p = createReconnectPolicy({ random });
      p.spread(spreadForFleet(1000));
      p.connected();
      for (let t = p.hold(); t < seconds * 1000; t += p.dialing()) perSecond[Math.floor(t / 1000)] += 1;
    }
    const mean = perSecond.reduce((a, b) => a + b, 0) / seconds;
    expect(Math.max(...perSecond)).toBeLessThan(2 * mean);
    // Without a spread (a fleet of one) the first steps are short: the same fleet would burst.
    const burst = new Array(seconds).fill(0);
    for (let g = 0; g < 1000; g++) {
      const p = createReconnectPolicy({ random });
      p.connected();
      for (let t = p.hold(); t < seconds * 1000; t += p.dialing()) burst[Math.floor(t / 1000)] += 1;
    }
    expect(Math.max(...burst)).toBeGreaterThan(10 * mean);
  });

  it("sizes the spread window to the fleet", () => {
    expect(spreadForFleet(0)).toBe(250);
    expect(spreadForFleet(10)).toBe(250);
    expect(spreadForFleet(201)).toBe(3000);
    expect(spreadForFleet(1000)).toBe(14_925);
    expect(spreadForFleet(50_000)).toBe(15_000);
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
