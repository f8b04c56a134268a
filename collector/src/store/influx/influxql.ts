import { z } from "zod";
import type { BucketPartial } from "../series-query.js";
import type { SeriesQuery, SeriesResult } from "../types.js";
import { MEASUREMENT } from "./lines.js";

/** An InfluxQL string literal: single quotes, with quotes and backslashes escaped. */
export const literal = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
/** An InfluxQL identifier (database, retention policy): double quotes, escaped. */
export const ident = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

function where(q: Omit<SeriesQuery, "limit">): string {
  const from = Math.max(0, Math.floor(q.from));
  const to = Math.floor(q.to);
  return `gateway = ${literal(q.gateway)} AND device = ${literal(q.device)} AND point = ${literal(q.point)} AND time >= ${from}ms AND time <= ${to}ms`;
}

/** Raw readings of one series in time order; `quality` tells the gaps (bad readings) apart. */
export function seriesQuery(q: SeriesQuery): string {
  return `SELECT value, quality FROM ${MEASUREMENT} WHERE ${where(q)} ORDER BY time ASC LIMIT ${Math.max(1, Math.floor(q.limit ?? 100_000))}`;
}

/**
 * One partial aggregate per bucket of `stepMs` from good numeric readings: InfluxQL's GROUP BY
 * time() buckets start at multiples of the step since the epoch, as the chart grid does, so each
 * row is one chart bucket. fill(none): empty buckets are gaps, as with SQLite.
 */
export function partialsQuery(q: Omit<SeriesQuery, "limit">, stepMs: number): string {
  return `SELECT count(value), sum(value), min(value), max(value), last(value) FROM ${MEASUREMENT} WHERE ${where(q)} AND quality = 'good' GROUP BY time(${Math.floor(stepMs)}ms) fill(none)`;
}

const cell = z.union([z.number(), z.string(), z.boolean(), z.null()]);
const seriesSchema = z.object({
  name: z.string().optional(),
  columns: z.array(z.string()),
  values: z.array(z.array(cell)).optional(),
});
const statementSchema = z.object({
  statement_id: z.number().optional(),
  series: z.array(seriesSchema).optional(),
  error: z.string().optional(),
});
/** The JSON body of /query (epoch=ms), as InfluxDB 1.x, 2.x and 3.x answer it. */
export const queryResponseSchema = z.object({
  results: z.array(statementSchema).optional(),
  error: z.string().optional(),
});
export type QueryResponse = z.infer<typeof queryResponseSchema>;
export type StatementResult = z.infer<typeof statementSchema>;

/** The rows of a statement's first series as objects keyed by column. */
export function rows(result: StatementResult | undefined): Record<string, unknown>[] {
  const series = result?.series?.[0];
  if (!series) return [];
  return (series.values ?? []).map((v) => Object.fromEntries(series.columns.map((c, i) => [c, v[i]])));
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

export function toSeriesResult(result: StatementResult | undefined): SeriesResult {
  const out: SeriesResult = { ts: [], values: [] };
  for (const r of rows(result)) {
    const t = num(r.time);
    if (t === null) continue;
    out.ts.push(t);
    out.values.push(r.quality === "bad" ? null : num(r.value));
  }
  return out;
}

export function toPartials(result: StatementResult | undefined): BucketPartial[] {
  const out: BucketPartial[] = [];
  for (const r of rows(result)) {
    const t = num(r.time);
    const n = num(r.count);
    const total = num(r.sum);
    const lo = num(r.min);
    const hi = num(r.max);
    const last = num(r.last);
    if (t === null || !n || total === null || lo === null || hi === null || last === null) continue;
    // One row per chart bucket, so the newest value's own time is not needed to merge: the bucket's will do.
    out.push({ t, n, total, lo, hi, lastTs: t, last });
  }
  return out;
}
