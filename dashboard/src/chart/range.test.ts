import { describe, expect, it } from "vitest";
import {
  canPanLater,
  fromLocalInput,
  isZoomed,
  MIN_SPAN_MS,
  pan,
  pollInterval,
  presetRange,
  resolveWindow,
  toLocalInput,
  windowRange,
} from "./range.js";

const NOW = 1_700_000_000_000;
const H = 3_600_000;

describe("time ranges", () => {
  it("a preset is the last N up to now", () => {
    const r = presetRange("24h");
    expect(r).toEqual({ live: true, span: 24 * H, preset: "24h" });
    expect(resolveWindow(r, NOW)).toEqual({ from: NOW - 24 * H, to: NOW });
    expect(isZoomed(r)).toBe(false);
    expect(canPanLater(r)).toBe(false);
  });

  it("a window in the past is fixed and does not follow the clock", () => {
    const r = windowRange(NOW - 10 * H, NOW - 8 * H, NOW);
    expect(r).toEqual({ live: false, from: NOW - 10 * H, to: NOW - 8 * H });
    expect(resolveWindow(r, NOW + H)).toEqual({ from: NOW - 10 * H, to: NOW - 8 * H });
    expect(isZoomed(r)).toBe(true);
    expect(canPanLater(r)).toBe(true);
  });

  it("a window reaching now keeps following it, and becomes a preset when it matches one", () => {
    expect(windowRange(NOW - 2 * H, NOW - 1000, NOW)).toEqual({ live: true, span: 2 * H - 1000 });
    expect(windowRange(NOW - H - 3000, NOW - 3000, NOW)).toEqual({ live: true, span: H, preset: "1h" });
    expect(windowRange(NOW - H, NOW + 5 * H, NOW)).toEqual({ live: true, span: H, preset: "1h" });
    expect(isZoomed({ live: true, span: 2 * H })).toBe(true);
  });

  it("orders a reversed window and widens a tiny one to the minimum span", () => {
    expect(windowRange(NOW - 8 * H, NOW - 10 * H, NOW)).toEqual({
      live: false,
      from: NOW - 10 * H,
      to: NOW - 8 * H,
    });
    const tiny = windowRange(NOW - H, NOW - H + 10, NOW);
    expect(tiny.live).toBe(false);
    const w = resolveWindow(tiny, NOW);
    expect(w.to - w.from).toBe(MIN_SPAN_MS);
  });

  it("pans by half the width; never past now, where it follows the clock again", () => {
    const earlier = pan(presetRange("1h"), -1, NOW);
    expect(earlier).toEqual({ live: false, from: NOW - 1.5 * H, to: NOW - 0.5 * H });
    expect(pan(earlier, -1, NOW)).toEqual({ live: false, from: NOW - 2 * H, to: NOW - H });
    expect(pan(earlier, 1, NOW)).toEqual({ live: true, span: H, preset: "1h" });
    expect(pan(presetRange("1h"), 1, NOW)).toEqual({ live: true, span: H, preset: "1h" });
  });

  it("polls short live ranges often, long and past ones seldom", () => {
    expect(pollInterval(presetRange("15m"))).toBe(5000);
    expect(pollInterval(presetRange("7d"))).toBe(60_000);
    expect(pollInterval(windowRange(NOW - 2 * H, NOW - H, NOW))).toBe(60_000);
  });
});

describe("datetime-local values", () => {
  it("round-trip to the minute in the browser's time zone", () => {
    const ms = new Date(2024, 2, 5, 7, 9).getTime();
    expect(toLocalInput(ms)).toBe("2024-03-05T07:09");
    expect(fromLocalInput("2024-03-05T07:09")).toBe(ms);
    expect(fromLocalInput("2024-03-05T07:09:30")).toBe(ms + 30_000);
  });

  it("rejects empty and malformed values", () => {
    expect(fromLocalInput("")).toBeUndefined();
    expect(fromLocalInput("yesterday")).toBeUndefined();
  });
});
