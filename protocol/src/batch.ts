import { z } from "zod";
import { gatewayIdSchema, type Quality, readingValueSchema, type SequencedReading } from "./reading.js";
import { parseWire, WireError } from "./wire-error.js";

export const BATCH_VERSION = 1;

const QUALITIES: readonly Quality[] = ["good", "bad", "uncertain"];

/**
 * Wire form of a batch (version 1): columnar JSON. Readings of one contiguous seq range
 * [first, last]; seq of row i is first + i, so it is not repeated. Series (device/point pairs)
 * are listed once and referenced by index, which keeps a batch of many polls of a few
 * points small. Reasons are only present for rows that have one.
 */
export const batchWireSchema = z
  .object({
    v: z.literal(BATCH_VERSION),
    gw: gatewayIdSchema,
    /** The buffer file's epoch: a new buffer (reinstall) starts seq at 1 again under a new epoch. */
    ep: z.number().int().nonnegative().optional(),
    first: z.number().int().positive(),
    last: z.number().int().positive(),
    series: z.array(z.tuple([z.string().min(1), z.string().min(1)])),
    s: z.array(z.number().int().nonnegative()),
    t: z.array(z.number().int().nonnegative()),
    val: z.array(readingValueSchema.nullable()),
    q: z.array(z.number().int().min(0).max(2)),
    r: z.record(z.string().regex(/^\d+$/), z.string()).optional(),
  })
  .superRefine((b, ctx) => {
    const n = b.last - b.first + 1;
    if (n < 1)
      ctx.addIssue({
        code: "custom",
        path: ["last"],
        message: `last (${b.last}) is before first (${b.first})`,
      });
    for (const key of ["s", "t", "val", "q"] as const) {
      if (b[key].length !== n) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `expected ${n} entries for seq ${b.first}..${b.last}, got ${b[key].length}`,
        });
      }
    }
    b.s.forEach((idx, i) => {
      if (idx >= b.series.length)
        ctx.addIssue({
          code: "custom",
          path: ["s", i],
          message: `series index ${idx} out of range (${b.series.length} series)`,
        });
    });
  });
export type BatchWire = z.infer<typeof batchWireSchema>;

export interface Batch {
  gateway: string;
  /** 0 for agents that predate epochs. */
  epoch: number;
  firstSeq: number;
  lastSeq: number;
  readings: SequencedReading[];
}

/** Encodes readings whose seqs must be contiguous and ascending. */
export function encodeBatch(gateway: string, readings: readonly SequencedReading[], epoch = 0): Uint8Array {
  const first = readings[0];
  if (!first) throw new WireError("cannot encode an empty batch");
  const seriesIndex = new Map<string, number>();
  const series: [string, string][] = [];
  const wire: BatchWire = {
    v: BATCH_VERSION,
    gw: gateway,
    ...(epoch > 0 ? { ep: epoch } : {}),
    first: first.seq,
    last: first.seq + readings.length - 1,
    series,
    s: [],
    t: [],
    val: [],
    q: [],
  };
  const reasons: Record<string, string> = {};
  readings.forEach((r, i) => {
    if (r.seq !== first.seq + i)
      throw new WireError(`readings are not contiguous: expected seq ${first.seq + i}, got ${r.seq}`);
    const key = `${r.device}\u0000${r.point}`;
    let idx = seriesIndex.get(key);
    if (idx === undefined) {
      idx = series.length;
      series.push([r.device, r.point]);
      seriesIndex.set(key, idx);
    }
    wire.s.push(idx);
    wire.t.push(r.ts);
    wire.val.push(r.value);
    wire.q.push(QUALITIES.indexOf(r.quality));
    if (r.reason) reasons[i] = r.reason;
  });
  if (Object.keys(reasons).length > 0) wire.r = reasons;
  return new TextEncoder().encode(JSON.stringify(wire));
}

/** Decodes and validates a batch; throws WireError naming what is wrong. */
export function decodeBatch(data: Uint8Array | string): Batch {
  const wire = parseWire(batchWireSchema, data, "batch");
  const readings: SequencedReading[] = wire.s.map((idx, i) => {
    const [device, point] = wire.series[idx] as [string, string];
    const reading: SequencedReading = {
      seq: wire.first + i,
      ts: wire.t[i] as number,
      device,
      point,
      value: wire.val[i] ?? null,
      quality: QUALITIES[wire.q[i] as number] as Quality,
    };
    const reason = wire.r?.[i];
    if (reason) reading.reason = reason;
    return reading;
  });
  return { gateway: wire.gw, epoch: wire.ep ?? 0, firstSeq: wire.first, lastSeq: wire.last, readings };
}
