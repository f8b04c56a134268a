import { describe, expect, it } from "vitest";
import { csvUrl, seriesUrl } from "./query.js";

const q = {
  series: ["plant-1/meter-1/voltage", "plant-1/meter-1/current"],
  from: 1000.4,
  to: 61_000.6,
  step: "auto" as const,
  agg: "minmax" as const,
};

describe("series queries", () => {
  it("asks for every series in one request, repeated series= in legend order", () => {
    const url = seriesUrl(q);
    expect(url).toBe(
      "api/v1/series?series=plant-1%2Fmeter-1%2Fvoltage&series=plant-1%2Fmeter-1%2Fcurrent&from=1000&to=61001&step=auto&agg=minmax",
    );
    const params = new URLSearchParams(url.split("?")[1]);
    expect(params.getAll("series")).toEqual(q.series);
  });

  it("exports the CSV at the step that was drawn", () => {
    const params = (u: string) => new URLSearchParams(u.split("?")[1]);
    expect(csvUrl(q, 60_000).startsWith("api/v1/series.csv?")).toBe(true);
    expect(params(csvUrl(q, 60_000)).get("step")).toBe("60000");
    expect(params(csvUrl(q, "raw")).get("step")).toBe("raw");
    expect(params(csvUrl(q, undefined)).get("step")).toBe("auto");
    expect(params(csvUrl(q, 60_000)).getAll("series")).toEqual(q.series);
    expect(params(csvUrl(q, 60_000)).get("agg")).toBe("minmax");
  });
});
