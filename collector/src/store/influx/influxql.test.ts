import { describe, expect, it } from "vitest";
import {
  literal,
  partialsQuery,
  queryResponseSchema,
  seriesQuery,
  toPartials,
  toSeriesResult,
} from "./influxql.js";

const q = { gateway: "plant-1", device: "m1", point: "voltage", from: 1_000, to: 61_000 };

describe("InfluxQL for charts", () => {
  it("asks for one series' raw readings in time order, with a limit", () => {
    expect(seriesQuery({ ...q, limit: 1501 })).toBe(
      "SELECT value, quality FROM reading WHERE gateway = 'plant-1' AND device = 'm1' AND point = 'voltage' AND time >= 1000ms AND time <= 61000ms ORDER BY time ASC LIMIT 1501",
    );
  });

  it("asks for per-bucket partials of good readings, empty buckets left out", () => {
    expect(partialsQuery(q, 60_000)).toBe(
      "SELECT count(value), sum(value), min(value), max(value), last(value) FROM reading WHERE gateway = 'plant-1' AND device = 'm1' AND point = 'voltage' AND time >= 1000ms AND time <= 61000ms AND quality = 'good' GROUP BY time(60000ms) fill(none)",
    );
  });

  it("quotes string literals so an id cannot end the string", () => {
    expect(literal("it's \\ ok")).toBe("'it\\'s \\\\ ok'");
  });

  it("reads raw rows, bad readings as gaps", () => {
    const body = queryResponseSchema.parse({
      results: [
        {
          statement_id: 0,
          series: [
            {
              name: "reading",
              columns: ["time", "value", "quality"],
              values: [
                [1000, 1.5, "good"],
                [2000, null, "bad"],
                [3000, null, "good"],
                [4000, 4, "uncertain"],
              ],
            },
          ],
        },
      ],
    });
    expect(toSeriesResult(body.results?.[0])).toEqual({
      ts: [1000, 2000, 3000, 4000],
      values: [1.5, null, null, 4],
    });
    expect(toSeriesResult({ statement_id: 0 })).toEqual({ ts: [], values: [] });
  });

  it("reads bucket rows as partials the chart merge understands", () => {
    const rows = {
      series: [
        {
          columns: ["time", "count", "sum", "min", "max", "last"],
          values: [
            [0, 3, 6, 1, 3, 2],
            [60_000, 0, null, null, null, null],
          ],
        },
      ],
    };
    expect(toPartials(rows)).toEqual([{ t: 0, n: 3, total: 6, lo: 1, hi: 3, lastTs: 0, last: 2 }]);
  });
});
