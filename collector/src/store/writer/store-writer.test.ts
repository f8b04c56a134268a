import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Batch, encodeBatch } from "@tidegate/protocol";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { heartbeatAt } from "../../../../test/helpers/heartbeat.js";
import { sqliteReadings } from "../backend.js";
import { openSqliteStore, type SqliteStore } from "../sqlite-store.js";
import { createStoreWriter, type StoreWriter } from "./index.js";
import { createWorkerWriter, StoreWriterError } from "./worker-client.js";

const silent = { info() {}, warn() {}, error() {} };
const batch = (first: number, values: number[], gateway = "plant-1"): Batch => ({
  gateway,
  epoch: 7,
  firstSeq: first,
  lastSeq: first + values.length - 1,
  readings: values.map((v, i) => ({
    seq: first + i,
    ts: 1000 * (first + i),
    device: "m1",
    point: "voltage",
    value: v,
    quality: "good",
  })),
});
const voltage = (gateway: string) => ({ gateway, device: "m1", point: "voltage", from: 0, to: 100_000 });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-writer-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe.each([
  { inWorker: true, name: "in a worker thread" },
  { inWorker: false, name: "in this thread" },
])("the store writer $name", ({ inWorker }) => {
  // One writer for the group (a thread takes a while to start from source); a gateway each test.
  let reader: SqliteStore;
  let writer: StoreWriter;
  let own: string;
  beforeAll(() => {
    own = mkdtempSync(join(tmpdir(), "tidegate-writer-"));
    const path = join(own, "c.db");
    reader = openSqliteStore(path, { writesElsewhere: inWorker });
    writer = inWorker
      ? createStoreWriter({ inWorker, path, log: silent })
      : createStoreWriter({ inWorker, store: reader, log: silent });
  });
  afterAll(async () => {
    await writer.close();
    reader.close();
    rmSync(own, { recursive: true, force: true });
  });

  it("answers once committed: the reader's connection sees the readings, a repeat adds nothing", async () => {
    const g = "committed";
    expect(await writer.insertBatches([batch(1, [230, 231, 232, 233, 234, 235, 236, 237], g)])).toEqual([
      { inserted: 8, duplicates: 0 },
    ]);
    expect(await writer.insertBatches([batch(5, [234, 235, 236, 237, 238], g)])).toEqual([
      { inserted: 1, duplicates: 4 },
    ]);
    expect(reader.countReadings(g)).toBe(9);
    expect(reader.gateways().find((r) => r.id === g)).toMatchObject({ maxSeq: 9, stored: 9 });
  });

  it("takes batches still encoded, even as views into a larger buffer, and stores what they hold", async () => {
    const g = "encoded";
    const bytes = encodeBatch(g, batch(1, [230, 231, 232]).readings, 7);
    const socketChunk = new Uint8Array(bytes.length + 20);
    socketChunk.set(bytes, 10);
    const view = socketChunk.subarray(10, 10 + bytes.length);
    expect(await writer.insertEncoded([view])).toEqual([{ inserted: 3, duplicates: 0 }]);
    // Two messages read from one socket chunk: Buffers over one ArrayBuffer (not Buffer's pool,
    // which Node never transfers, so it would hide a shared buffer).
    const next = encodeBatch(g, batch(4, [233]).readings, 7);
    const chunk = Buffer.allocUnsafeSlow(bytes.length + next.length);
    chunk.set(bytes);
    chunk.set(next, bytes.length);
    const shared = [chunk.subarray(0, bytes.length), chunk.subarray(bytes.length)];
    expect(await writer.insertEncoded(shared)).toEqual([
      { inserted: 0, duplicates: 3 },
      { inserted: 1, duplicates: 0 },
    ]);
    expect(reader.countReadings(g)).toBe(4);
    expect(socketChunk.subarray(10, 10 + bytes.length)).toEqual(bytes); // the caller's bytes stay its own
  });

  it("settles a gateway's head before a read, so a chart sees the readings that wait there", async () => {
    // One reading per series: fleet-shaped, so it waits in the head (head.ts).
    await writer.insertBatches([batch(1, [230], "head")]);
    await writer.insertBatches([batch(2, [231], "head")]);
    const readings = sqliteReadings(reader, inWorker ? writer : undefined);
    expect(await readings.series(voltage("head"))).toEqual({ ts: [1000, 2000], values: [230, 231] });
  });

  it("writes a gateway's newest values before they are read, and saves heartbeats", async () => {
    const g = "latest";
    await writer.insertBatches([batch(1, [230, 231], g)]);
    await writer.writeLatest(g);
    expect(reader.points(g)).toMatchObject([{ device: "m1", point: "voltage", lastValue: 231 }]);
    expect(await writer.saveHeartbeat(heartbeatAt(g, 5000), 5000)).toBeUndefined();
    expect(reader.gateways().find((r) => r.id === g)?.heartbeat).toMatchObject({ gateway: g });
  });
});

describe("a store writer thread that dies", () => {
  it("rejects every write after it with a clear error, and says so once", async () => {
    const deaths: Error[] = [];
    const writer = createWorkerWriter({
      path: join(dir, "c.db"),
      log: silent,
      onDeath: (e) => deaths.push(e),
    });
    await writer.insertBatches([batch(1, [230])]);
    const waiting = writer.insertBatches([batch(2, [231])]);
    await writer.thread.terminate();
    // It either committed before the end (then its rows are there) or fails: never a false success.
    const [outcome] = await Promise.allSettled([waiting]);
    const reader = openSqliteStore(join(dir, "c.db"));
    if (outcome?.status === "fulfilled") expect(reader.countReadings("plant-1")).toBe(2);
    else expect(outcome?.reason).toBeInstanceOf(StoreWriterError);
    reader.close();
    await expect(writer.insertBatches([batch(3, [232])])).rejects.toMatchObject({
      code: "store.writer-died",
      message: expect.stringContaining("nothing is acked that it did not commit"),
    });
    expect(deaths).toHaveLength(1);
    await writer.close();
  });
});
