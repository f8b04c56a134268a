import { z } from "zod";
import { gatewayIdSchema, type Quality, type ReadingValue, type SequencedReading } from "./reading.js";
import { parseWire, WireError } from "./wire-error.js";

/** The batch wire version this build writes. */
export const BATCH_VERSION = 2;
/** The oldest batch version this build still reads: a collector reads agents one version older. */
export const OLDEST_BATCH_VERSION = 1;

const QUALITIES: readonly Quality[] = ["good", "bad", "uncertain"];

/**
 * Wire form of a batch: columnar JSON. Readings of one contiguous seq range [first, last]; seq
 * of row i is first + i, so it is not repeated. Series (device/point pairs) are listed once and
 * referenced by index, which keeps a batch of many polls of a few points small. Reasons are only
 * present for rows that have one.
 *
 * Version 2 (this build): `ep` (buffer epoch) is required, and `t` holds the first timestamp
 * followed by differences to the previous one, which makes a batch of regular polls about a
 * third smaller. Version 1 (agents before buffer epochs): `ep` optional, `t` absolute.
 */
/**
 * A column of a batch: an array whose entries are checked in a plain loop. The columns hold one
 * entry per reading, and zod's per-entry parse (with a copy of the array) cost more than the rest
 * of the collector's ingest together. The first bad entry is reported with its index.
 */
function column<T>(expected: string, ok: (v: unknown) => boolean) {
  return z
    .custom<T[]>((v) => Array.isArray(v), { message: "expected an array" })
    .superRefine((entries, ctx) => {
      for (let i = 0; i < entries.length; i++) {
        if (ok(entries[i])) continue;
        ctx.addIssue({
          code: "custom",
          path: [i],
          message: `expected ${expected}, got ${JSON.stringify(entries[i])}`,
        });
        return;
      }
    });
}
const isInt = (v: unknown): v is number => Number.isSafeInteger(v);

const columns = {
  gw: gatewayIdSchema,
  first: z.number().int().positive(),
  last: z.number().int().positive(),
  series: z.array(z.tuple([z.string().min(1), z.string().min(1)])),
  s: column<number>("a series index", (v) => isInt(v) && v >= 0),
  val: column<ReadingValue | null>(
    "a number, boolean, string or null",
    (v) =>
      v === null ||
      typeof v === "boolean" ||
      typeof v === "string" ||
      (typeof v === "number" && Number.isFinite(v)),
  ),
  q: column<number>("a quality code 0, 1 or 2", (v) => v === 0 || v === 1 || v === 2),
  r: z.record(z.string().regex(/^\d+$/), z.string()).optional(),
};

export const batchWireSchema = z
  .discriminatedUnion("v", [
    z.object({
      v: z.literal(1),
      ep: z.number().int().nonnegative().optional(),
      t: column<number>("a time in ms since 1970", (v) => isInt(v) && v >= 0),
      ...columns,
    }),
    z.object({
      v: z.literal(2),
      /** The buffer file's epoch: a new buffer (reinstall) starts seq at 1 again under a new epoch. */
      ep: z.number().int().nonnegative(),
      t: column<number>("a time difference in ms", isInt),
      ...columns,
    }),
  ])
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
  /** The wire version the batch came in, so the fleet view can point at agents to upgrade. */
  wireVersion?: number;
}

/**
 * Encodes readings whose seqs must be contiguous and ascending, in this build's wire version;
 * `version: 1` writes what agents before buffer epochs wrote (compatibility tests use it).
 */
export function encodeBatch(
  gateway: string,
  readings: readonly SequencedReading[],
  epoch = 0,
  version: 1 | 2 = BATCH_VERSION,
): Uint8Array {
  const first = readings[0];
  if (!first) throw new WireError("cannot encode an empty batch", "wire.unencodable");
  const columns: BatchColumns = {
    first: first.seq,
    last: first.seq + readings.length - 1,
    series: [],
    s: [],
    ts: [],
    valJson: "",
    qJson: "",
    r: {},
  };
  // By device, then point: names are kept apart whatever characters they hold.
  const seriesIndex = new Map<string, Map<string, number>>();
  const values: string[] = [];
  const qualities: number[] = [];
  readings.forEach((r, i) => {
    if (r.seq !== first.seq + i)
      throw new WireError(
        `readings are not contiguous: expected seq ${first.seq + i}, got ${r.seq}`,
        "wire.unencodable",
      );
    const points = seriesIndex.get(r.device) ?? new Map<string, number>();
    seriesIndex.set(r.device, points);
    let idx = points.get(r.point);
    if (idx === undefined) {
      idx = columns.series.length;
      columns.series.push([r.device, r.point]);
      points.set(r.point, idx);
    }
    columns.s.push(idx);
    columns.ts.push(r.ts);
    values.push(JSON.stringify(r.value ?? null));
    qualities.push(QUALITIES.indexOf(r.quality));
    if (r.reason) columns.r[i] = r.reason;
  });
  columns.valJson = values.join(",");
  columns.qJson = qualities.join(",");
  return encodeBatchColumns(gateway, columns, epoch, version);
}

/**
 * A batch already in the wire's columns, as a sender that keeps readings column by column holds
 * it (the agent's buffer reads them so). Values and qualities come as JSON text, so values stored
 * as JSON go out without being parsed and written again.
 */
export interface BatchColumns {
  first: number;
  last: number;
  series: [string, string][];
  /** Series index of each row. */
  s: number[];
  /** Timestamp of each row (absolute; the encoder writes what the version asks for). */
  ts: number[];
  /** Each row's value as JSON ("null" for none), comma-separated: exactly one entry per row. */
  valJson: string;
  /** Each row's quality index, comma-separated: exactly one entry per row. */
  qJson: string;
  /** Reasons by row index (seq - first), for the rows that have one. */
  r: Record<number, string>;
}

/**
 * The one batch writer: from columns, which the agent's send path reads straight from its buffer
 * so a batch costs no object per reading (encodeBatch builds them from readings). `valJson` and
 * `qJson` are trusted to be JSON.
 */
export function encodeBatchColumns(
  gateway: string,
  c: BatchColumns,
  epoch = 0,
  version: 1 | 2 = BATCH_VERSION,
): Uint8Array {
  const n = c.last - c.first + 1;
  if (!(n >= 1)) throw new WireError("cannot encode an empty batch", "wire.unencodable");
  if (c.s.length !== n || c.ts.length !== n)
    throw new WireError(
      `columns do not match seq ${c.first}..${c.last}: ${c.s.length} series indexes, ${c.ts.length} timestamps for ${n} rows`,
      "wire.unencodable",
    );
  if (version === 1 && epoch > 0)
    throw new WireError("wire version 1 cannot carry a buffer epoch", "wire.unencodable");
  let t = c.ts;
  if (version === 2) {
    t = new Array<number>(n);
    let previousTs = 0;
    for (let i = 0; i < n; i++) {
      const ts = c.ts[i] as number;
      t[i] = ts - previousTs;
      previousTs = ts;
    }
  }
  // Keys in the order every Tidegate has written them, so a batch's bytes (its Nats-Msg-Id payload) never change.
  const json =
    `{"v":${version},"gw":${JSON.stringify(gateway)}${version === 1 ? "" : `,"ep":${JSON.stringify(epoch)}`}` +
    `,"first":${c.first},"last":${c.last},"series":${JSON.stringify(c.series)},"s":${JSON.stringify(c.s)}` +
    `,"t":${JSON.stringify(t)},"val":[${c.valJson}],"q":[${c.qJson}]` +
    `${Object.keys(c.r).length > 0 ? `,"r":${JSON.stringify(c.r)}` : ""}}`;
  return new TextEncoder().encode(json);
}

/**
 * Decodes and validates a batch of any version from OLDEST_BATCH_VERSION up to `maxVersion`;
 * throws WireError naming what is wrong, NewerWireVersionError for a newer version.
 */
export function decodeBatch(data: Uint8Array | string, options: { maxVersion?: number } = {}): Batch {
  const wire = parseWire(batchWireSchema, data, "batch", options.maxVersion ?? BATCH_VERSION);
  let ts = 0;
  const readings: SequencedReading[] = wire.s.map((idx, i) => {
    const [device, point] = wire.series[idx] as [string, string];
    ts = wire.v === 1 ? (wire.t[i] as number) : ts + (wire.t[i] as number);
    if (ts < 0) throw new WireError(`invalid batch: t.${i}: timestamp ${ts} is before 1970`);
    // Differences can add up past what a JS number holds exactly; such a time is no reading's.
    if (!Number.isSafeInteger(ts))
      throw new WireError(`invalid batch: t.${i}: timestamp ${ts} is beyond any real time`);
    const reading: SequencedReading = {
      seq: wire.first + i,
      ts,
      device,
      point,
      value: wire.val[i] ?? null,
      quality: QUALITIES[wire.q[i] as number] as Quality,
    };
    const reason = wire.r?.[i];
    if (reason) reading.reason = reason;
    return reading;
  });
  return {
    gateway: wire.gw,
    epoch: wire.ep ?? 0,
    firstSeq: wire.first,
    lastSeq: wire.last,
    readings,
    wireVersion: wire.v,
  };
}
