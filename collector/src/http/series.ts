import { badRequest, type RouteGuard } from "@tidegate/http-kit";
import type { SeriesAnswer } from "@tidegate/protocol";
import { Hono } from "hono";
import { z } from "zod";
import type { ReadingsBackend } from "../store/backend.js";
import {
  AGGS,
  type Agg,
  alignRaw,
  bucketize,
  grid,
  MAX_POINTS,
  parseStep,
  planQuery,
  type SeriesColumns,
  TARGET_POINTS,
} from "../store/series-query.js";

const id = z.string().min(1).max(200);
const seriesKey = z
  .string()
  .regex(/^[^/]+\/[^/]+\/[^/]+$/, 'expected "gateway/device/point"')
  .transform((s) => {
    const [gateway, device, point] = s.split("/") as [string, string, string];
    return { gateway, device, point };
  });

/** ms since 1970, up to the last instant a Date holds (the CSV writes ISO times). */
const time = z.coerce
  .number()
  .int()
  .nonnegative()
  .max(8.64e15, "expected a time in ms up to 8640000000000000 (year 275760)");

const querySchema = z
  .object({
    gateway: id.optional(),
    device: id.optional(),
    point: id.optional(),
    series: z.array(seriesKey).max(20, "at most 20 series per chart").optional(),
    from: time.optional(),
    to: time.optional(),
    step: z
      .string()
      .optional()
      .transform((s, ctx) => {
        const step = parseStep(s);
        if (step === undefined) {
          ctx.addIssue({
            code: "custom",
            message: 'expected auto, raw, or a duration of 1s or more like "30s", "5m", "1h", "1d"',
          });
          return z.NEVER;
        }
        return step;
      }),
    agg: z.enum(AGGS as [Agg, ...Agg[]]).default("avg"),
  })
  .refine((q) => q.series !== undefined || (q.gateway && q.device && q.point), {
    message: "give gateway, device and point, or one or more series=gateway/device/point",
    path: ["series"],
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
    message: "from must not be after to",
    path: ["from"],
  });

interface Answer {
  ts: number[];
  columns: SeriesColumns[];
  step: number | "raw";
  source: string;
}

/**
 * GET /api/v1/series: one series (gateway, device, point) or several (series=gw/dev/pt, repeated)
 * over from..to (ms; default the last hour), at step=auto (~1–2k points, from raw readings or the
 * 1 min / 1 h rollups), raw, or a duration; agg=avg|min|max|last|minmax. Columnar, one time axis,
 * nulls for gaps. GET /api/v1/series.csv: the same as CSV, for a spreadsheet.
 */
export function seriesRoutes(need: RouteGuard, store: ReadingsBackend, now: () => number): Hono {
  const app = new Hono();
  async function answer(c: {
    req: { query(): Record<string, string>; queries(): Record<string, string[]> };
  }) {
    const raw = c.req.query();
    const parsed = querySchema.safeParse({ ...raw, series: c.req.queries().series });
    if (!parsed.success) return { error: badRequest(parsed.error) };
    const q = parsed.data;
    const to = q.to ?? now();
    const from = q.from ?? to - 3600_000;
    const keys = q.series ?? [
      { gateway: q.gateway as string, device: q.device as string, point: q.point as string },
    ];
    const plan = planQuery(from, to, q.step);
    if (typeof plan === "string") return { error: { error: `step: ${plan}` } };
    let result: Answer | undefined;
    // Few enough readings to chart as they are (a short range, a sparse series): exact samples beat buckets.
    const rawLimit = plan.stepMs === 0 ? MAX_POINTS : q.step === "auto" ? TARGET_POINTS : 0;
    if (rawLimit > 0) {
      const each = await Promise.all(keys.map((k) => store.series({ ...k, from, to, limit: rawLimit + 1 })));
      if (each.every((s) => s.ts.length <= rawLimit)) {
        const aligned = alignRaw(each);
        result = {
          ts: aligned.ts,
          columns: aligned.columns.map((values) => ({ values })),
          step: "raw",
          source: "raw",
        };
      } else if (plan.stepMs === 0)
        return {
          error: {
            error: `step: more than ${MAX_POINTS} raw readings in this range; use step=auto or a duration`,
          },
        };
    }
    if (!result) {
      const axis = grid(from, to, plan.stepMs);
      const columns = await Promise.all(
        keys.map(
          async (k) =>
            (await store.buckets?.(plan, { ...k, from, to }, axis, q.agg)) ??
            bucketize(await store.partials(plan, { ...k, from, to }), axis, plan.stepMs, q.agg),
        ),
      );
      // InfluxDB aggregates raw readings with GROUP BY time(): there are no rollup tables to name.
      result = {
        ts: axis,
        columns,
        step: plan.stepMs,
        source: store.kind === "influx" ? "influxdb" : plan.source,
      };
    }
    return { q, keys, from, to, result };
  }

  /** The answer, or an error for a store that cannot answer now (InfluxDB down): 503 with why. */
  async function tryAnswer(c: Parameters<typeof answer>[0]) {
    try {
      return await answer(c);
    } catch (err) {
      return {
        error: { error: `the readings store cannot answer: ${(err as Error).message}` },
        status: 503 as const,
      };
    }
  }

  app.get("/api/v1/series", need("viewer"), async (c) => {
    const a = await tryAnswer(c);
    if ("error" in a) return c.json(a.error, "status" in a ? a.status : 400);
    const { q, keys, from, to, result } = a;
    const head = { from, to, step: result.step, agg: q.agg, source: result.source, ts: result.ts };
    if (!q.series) return c.json({ ...keys[0], ...head, ...result.columns[0] });
    const answer: SeriesAnswer = {
      ...head,
      series: keys.map((k, i) => ({ ...k, ...(result.columns[i] as SeriesColumns) })),
    };
    return c.json(answer);
  });

  app.get("/api/v1/series.csv", need("viewer"), async (c) => {
    const a = await tryAnswer(c);
    if ("error" in a) return c.json(a.error, "status" in a ? a.status : 400);
    const { keys, result } = a;
    const header = ["time", ...keys.map((k) => `${k.gateway}/${k.device}/${k.point}`)].join(",");
    const rows = result.ts.map((t, i) =>
      [new Date(t).toISOString(), ...result.columns.map((col) => col.values[i] ?? "")].join(","),
    );
    return c.body(`${[header, ...rows].join("\n")}\n`, 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": 'attachment; filename="tidegate-series.csv"',
    });
  });
  return app;
}
