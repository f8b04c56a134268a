import type { Batch, SequencedReading } from "@tidegate/protocol";

/** `n` good voltage readings of meter m1 from seq `first`, a second apart. */
export function voltageReadings(first: number, n: number): SequencedReading[] {
  return Array.from({ length: n }, (_, i) => ({
    seq: first + i,
    ts: 1_700_000_000_000 + (first + i) * 1000,
    device: "m1",
    point: "voltage",
    value: 230 + i,
    quality: "good" as const,
  }));
}

/** The same readings as one batch of `gateway`. */
export function voltageBatch(gateway: string, first: number, n: number, epoch = 1): Batch {
  return { gateway, epoch, firstSeq: first, lastSeq: first + n - 1, readings: voltageReadings(first, n) };
}
