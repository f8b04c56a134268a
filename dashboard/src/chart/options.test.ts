import type uPlot from "uplot";
import { describe, expect, it, vi } from "vitest";
import { buildOptions, type OptionsInput, withAlpha } from "./options.js";

function input(over: Partial<OptionsInput> = {}): OptionsInput {
  return {
    width: 600,
    height: 300,
    series: [{ label: "m/v", unit: "V" }, { label: "m/i", unit: "A" }, { label: "m/p" }],
    layout: { bands: [[1, 2], undefined, undefined], lines: [3, 4, 5] },
    colors: { axis: "#555555", grid: "#eeeeee", series: ["#0b5cad", "#b3261e"] },
    window: () => ({ from: 10_000, to: 70_000 }),
    formatValue: (v) => `~${v}`,
    locale: "en",
    onZoom: () => {},
    onHover: () => {},
    ...over,
  };
}

describe("chart options", () => {
  it("draws lines with gaps over a translucent band of the same colour", () => {
    const o = buildOptions(input());
    const s = o.series;
    expect(s).toHaveLength(6);
    expect(s[3]).toMatchObject({ label: "m/v", stroke: "#0b5cad", spanGaps: false, scale: "y:V" });
    expect(s[4]).toMatchObject({ label: "m/i", stroke: "#b3261e", scale: "y:A" });
    // Colours repeat past the palette.
    expect(s[5]).toMatchObject({ stroke: "#0b5cad", scale: "y:" });
    expect(s[1]).toMatchObject({ stroke: "transparent", scale: "y:V" });
    expect(o.bands).toEqual([{ series: [1, 2], fill: "rgba(11,92,173,0.18)" }]);
  });

  it("gives each unit its own y axis, alternating sides, labelled with the unit", () => {
    const axes = buildOptions(input()).axes ?? [];
    expect(axes.map((a) => a.scale)).toEqual([undefined, "y:V", "y:A", "y:"]);
    expect(axes.slice(1).map((a) => a.side)).toEqual([3, 1, 3]);
    expect(axes.slice(1).map((a) => a.label)).toEqual(["V", "A", undefined]);
  });

  it("fixes x to the window and formats y values", () => {
    const o = buildOptions(input());
    const range = o.scales?.x?.range as (u: uPlot, min: number, max: number) => [number, number];
    expect(range({} as uPlot, 0, 1)).toEqual([10, 70]);
    const values = o.axes?.[1]?.values as (u: uPlot, splits: number[]) => string[];
    expect(values({} as uPlot, [1, 2])).toEqual(["~1", "~2"]);
  });

  it("reports a drag as a window in ms instead of zooming locally, and clears the selection", () => {
    const onZoom = vi.fn();
    const o = buildOptions(input({ onZoom }));
    expect(o.cursor?.drag).toMatchObject({ x: true, y: false, setScale: false });
    const setSelect = vi.fn();
    const u = {
      select: { left: 100, width: 50, top: 0, height: 10 },
      posToVal: (px: number) => px / 10,
      setSelect,
    } as unknown as uPlot;
    o.hooks?.setSelect?.[0]?.(u);
    expect(onZoom).toHaveBeenCalledWith(10_000, 15_000);
    expect(setSelect).toHaveBeenCalledWith({ left: 0, top: 0, width: 0, height: 0 }, false);
  });
});

describe("withAlpha", () => {
  it("turns hex colours translucent and passes others through", () => {
    expect(withAlpha("#0b5cad", 0.2)).toBe("rgba(11,92,173,0.2)");
    expect(withAlpha("#fff", 0.5)).toBe("rgba(255,255,255,0.5)");
    expect(withAlpha("rebeccapurple", 0.5)).toBe("rebeccapurple");
  });
});
