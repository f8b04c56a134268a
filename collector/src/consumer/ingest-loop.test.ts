import { type Batch, encodeBatch, subjects } from "@tidegate/protocol";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { voltageReadings } from "../../../test/helpers/readings.js";
import type { InsertResult } from "../store/types.js";
import { createIngestLoop, type IngestStats, type TelemetryMessage } from "./ingest-loop.js";

const log = pino({ level: "silent" });
const freshStats = (): IngestStats => ({
  batches: 0,
  readings: 0,
  duplicates: 0,
  rejected: {},
  newerWire: 0,
  consuming: true,
  storeErrors: 0,
});

/** A message as JetStream would deliver it, recording what the loop did with it. */
function message(data: Uint8Array, subject: string, seq: number) {
  const done: string[] = [];
  const m: TelemetryMessage & { done: string[] } = {
    subject,
    seq,
    data,
    done,
    ack: () => void done.push("ack"),
    nak: (ms) => void done.push(`nak ${ms}`),
    term: (reason) => void done.push(`term ${reason}`),
    working: () => void done.push("working"),
  };
  return m;
}

const batchOf = (gateway: string, first: number, n: number, version: 1 | 2 = 2) =>
  message(
    encodeBatch(gateway, voltageReadings(first, n), version === 1 ? 0 : 1, version),
    subjects.telemetry(gateway),
    first,
  );

async function* deliver(...messages: TelemetryMessage[]) {
  for (const m of messages) yield m;
}

/** A store that records each transaction's batches and answers as told. */
function fakeStore(answer: (batches: readonly Batch[]) => InsertResult[] | Promise<InsertResult[]>) {
  const calls: Batch[][] = [];
  return {
    calls,
    insertBatches(batches: readonly Batch[]) {
      calls.push([...batches]);
      return answer(batches);
    },
  };
}
const allNew = (batches: readonly Batch[]) =>
  batches.map((b) => ({ inserted: b.readings.length, duplicates: 0 }));

describe("the ingest loop", () => {
  it("commits the batches of one turn in one transaction, then acks each and feeds the live view", async () => {
    const store = fakeStore(allNew);
    const stats = freshStats();
    const live: Batch[][] = [];
    const loop = createIngestLoop(store, log, stats, { onCommitted: (b) => live.push(b) });
    const ms = [batchOf("plant-1", 1, 3), batchOf("plant-2", 1, 2), batchOf("plant-1", 4, 1)];
    await loop.handle(deliver(...ms));
    await new Promise((r) => setImmediate(r));
    await loop.drain();
    expect(store.calls.map((c) => c.map((b) => `${b.gateway}:${b.firstSeq}`))).toEqual([
      ["plant-1:1", "plant-2:1", "plant-1:4"],
    ]);
    for (const m of ms) expect(m.done).toEqual(["ack"]);
    expect(stats).toMatchObject({ batches: 3, readings: 6, duplicates: 0 });
    expect(live.flat().length).toBe(3);
  });

  it("splits a deep backlog of big batches into transactions of about 5,000 readings, every batch acked once", async () => {
    const store = fakeStore(allNew);
    const stats = freshStats();
    const loop = createIngestLoop(store, log, stats);
    // Backfill after an outage: full 500-reading batches, all delivered at once.
    const ms = Array.from({ length: 23 }, (_, i) => batchOf("plant-1", i * 500 + 1, 500));
    await loop.handle(deliver(...ms));
    await new Promise((r) => setImmediate(r));
    await loop.drain();
    expect(store.calls.map((c) => c.length)).toEqual([10, 10, 3]);
    for (const m of ms) expect(m.done).toEqual(["ack"]);
    expect(stats).toMatchObject({ batches: 23, readings: 23 * 500 });
  });

  it("naks every batch of a group the store could not commit, and acks none", async () => {
    const store = fakeStore(() => {
      throw new Error("disk I/O error");
    });
    const stats = freshStats();
    const loop = createIngestLoop(store, log, stats, { nakDelayMs: 1234 });
    const ms = [batchOf("plant-1", 1, 2), batchOf("plant-1", 3, 2)];
    await loop.handle(deliver(...ms));
    await new Promise((r) => setImmediate(r));
    await loop.drain();
    for (const m of ms) expect(m.done).toEqual(["nak 1234"]);
    expect(stats.storeErrors).toBe(2);
    expect(stats.batches).toBe(0);
  });

  it("with a store that answers later, acks after it resolves and naks after it rejects", async () => {
    let calls = 0;
    const store = fakeStore(async (batches) => {
      calls += 1;
      await new Promise((r) => setTimeout(r, 5));
      if (calls === 2) throw new Error("InfluxDB unavailable");
      return allNew(batches);
    });
    const loop = createIngestLoop(store, log, freshStats(), { nakDelayMs: 50 });
    const first = batchOf("plant-1", 1, 2);
    await loop.handle(deliver(first));
    await new Promise((r) => setImmediate(r));
    expect(first.done, "not acked before the store answered").toEqual([]);
    await loop.drain();
    expect(first.done).toEqual(["ack"]);
    const second = batchOf("plant-1", 3, 2);
    await loop.handle(deliver(second));
    await new Promise((r) => setImmediate(r));
    await loop.drain();
    expect(second.done).toEqual(["nak 50"]);
  });

  it("terminates what cannot be read, counted by reason, and never stores it", async () => {
    const store = fakeStore(allNew);
    const stats = freshStats();
    const loop = createIngestLoop(store, log, stats);
    const garbage = message(new TextEncoder().encode("{not json"), subjects.telemetry("plant-1"), 1);
    const elsewhere = batchOf("plant-1", 1, 2);
    const misrouted = message(elsewhere.data, subjects.telemetry("plant-9"), 2);
    await loop.handle(deliver(garbage, misrouted));
    await new Promise((r) => setImmediate(r));
    await loop.drain();
    expect(garbage.done).toHaveLength(1);
    expect(garbage.done[0]).toMatch(/^term /);
    expect(misrouted.done).toEqual(["term batch for gateway plant-1 arrived on tidegate.telemetry.plant-9"]);
    expect(store.calls).toEqual([]);
    expect(Object.values(stats.rejected).reduce((a, b) => a + b, 0)).toBe(2);
    // Counted by code, never by words from the message: the reason is a metric label.
    expect(stats.rejected).toEqual({ "wire.not-json": 1, "wire.misrouted": 1 });
  });

  it("leaves a batch in a newer wire version in the stream for a newer collector", async () => {
    const store = fakeStore(allNew);
    const stats = freshStats();
    const loop = createIngestLoop(store, log, stats, { wireMax: 1 });
    const newer = batchOf("plant-1", 1, 2, 2);
    const older = batchOf("plant-1", 3, 2, 1);
    await loop.handle(deliver(newer, older));
    await new Promise((r) => setImmediate(r));
    await loop.drain();
    expect(newer.done).toEqual(["nak 60000"]);
    expect(older.done).toEqual(["ack"]);
    expect(stats.newerWire).toBe(1);
    expect(store.calls.flat().map((b) => b.firstSeq)).toEqual([3]);
  });
});
