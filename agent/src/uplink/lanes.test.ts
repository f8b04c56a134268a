import type { BatchColumns } from "@tidegate/protocol";
import { describe, expect, it } from "vitest";
import { useTempBuffer } from "../../../test/helpers/temp-buffer.js";
import { createLanes } from "./lanes.js";

const temp = useTempBuffer("lanes");
const add = temp.add;
const seqs = (run: BatchColumns | undefined) => (run ? [run.first, run.last] : undefined);

describe("uplink lanes", () => {
  it("with a short backlog, one lane walks the buffer in seq order", () => {
    const lanes = createLanes({ buffer: temp.buffer(), batchSize: 10, backfillThreshold: 50 });
    add(25);
    expect([seqs(lanes.next()), seqs(lanes.next()), seqs(lanes.next()), lanes.next()]).toEqual([
      [1, 10],
      [11, 20],
      [21, 25],
      undefined,
    ]);
    expect(lanes.backfilling()).toBe(false);
  });

  it("after an outage fresh readings go first and the backlog drains oldest first", () => {
    const lanes = createLanes({ buffer: temp.buffer(), batchSize: 10, backfillThreshold: 50 });
    add(100); // the outage backlog
    expect(seqs(lanes.next())).toEqual([1, 10]); // the backlog is noticed: backfill starts at the oldest
    expect(lanes.backfilling()).toBe(true);
    add(3); // fresh readings arrive
    expect(seqs(lanes.next())).toEqual([101, 103]);
    expect(seqs(lanes.next())).toEqual([11, 20]);
    add(2);
    expect(seqs(lanes.next())).toEqual([104, 105]);
    for (let first = 21; first <= 91; first += 10) expect(seqs(lanes.next())).toEqual([first, first + 9]);
    expect(lanes.next()).toBeUndefined();
    expect(lanes.backfilling()).toBe(false);
    add(1);
    expect(seqs(lanes.next())).toEqual([106, 106]);
  });

  it("rate-limits the backfill lane but never the live lane", () => {
    let t = 0;
    const lanes = createLanes({
      buffer: temp.buffer(),
      batchSize: 10,
      backfillThreshold: 50,
      backfillRatePerS: 10,
      now: () => t,
    });
    add(100);
    expect(seqs(lanes.next())).toEqual([1, 10]); // the first second's budget
    expect(lanes.next()).toBeUndefined();
    expect(lanes.retryInMs()).toBeGreaterThan(0);
    add(5);
    expect(seqs(lanes.next())).toEqual([101, 105]); // live is not limited
    t += 1000;
    expect(seqs(lanes.next())).toEqual([11, 20]);
    expect(lanes.next()).toBeUndefined();
  });

  it("skips backlog rows that the buffer dropped while it was full", () => {
    const lanes = createLanes({ buffer: temp.buffer(), batchSize: 10, backfillThreshold: 50 });
    add(100);
    expect(seqs(lanes.next())).toEqual([1, 10]);
    temp.buffer().markSent(11, 60); // as if dropped or settled
    expect(seqs(lanes.next())).toEqual([61, 70]);
  });
});
