import { Point } from "@influxdata/influxdb-client";
import type { Batch, SequencedReading } from "@tidegate/protocol";

/** The measurement every reading is written to; the Grafana dashboard and docs/influxdb.md use the same schema. */
export const MEASUREMENT = "reading";

/**
 * One reading as an InfluxDB point: tags gateway/device/point; fields `value` (float; booleans as
 * 1/0), `text` (string values), `quality`, `seq`; a millisecond timestamp. A bad reading carries
 * no value, so charts (which select good values) show a gap, never a fake number.
 */
export function readingPoint(gateway: string, r: SequencedReading): Point {
  const p = new Point(MEASUREMENT)
    .tag("gateway", gateway)
    .tag("device", r.device)
    .tag("point", r.point)
    .stringField("quality", r.quality)
    .intField("seq", r.seq)
    .timestamp(r.ts);
  if (r.quality !== "bad") {
    if (typeof r.value === "number") p.floatField("value", r.value);
    else if (typeof r.value === "boolean") p.floatField("value", r.value ? 1 : 0);
    else if (typeof r.value === "string") p.stringField("text", r.value);
  }
  return p;
}

/** Line protocol (ms precision) for the readings of some batches, in batch order. */
export function batchLines(batches: readonly Batch[]): string[] {
  const lines: string[] = [];
  for (const b of batches)
    for (const r of b.readings) {
      // A timestamp given as a number is written as is: milliseconds, matching precision=ms.
      const line = readingPoint(b.gateway, r).toLineProtocol();
      if (line) lines.push(line);
    }
  return lines;
}
