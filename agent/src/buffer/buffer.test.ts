import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Reading } from "@tidegate/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { unsentReadings } from "../../../test/helpers/buffer-file.js";
import { openBuffer } from "./buffer.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-buffer-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const reading = (i: number, extra: Partial<Reading> = {}): Reading => ({
  ts: Date.now() + i,
  device: "m1",
  point: "voltage",
  value: 230 + i,
  quality: "good",
  ...extra,
});

describe("reading buffer (SQLite on disk)", () => {
  it("assigns gap-free seqs and returns readings as they went in", () => {
    const buf = openBuffer({ path: join(dir, "b.db"), commitIntervalMs: 0 });
    buf.append([
      reading(1),
      reading(2, { value: true }),
      reading(3, { value: "x", quality: "bad", reason: "why" }),
    ]);
    buf.append([reading(4, { value: null, quality: "bad", reason: "timeout" })]);
    const rows = unsentReadings(join(dir, "b.db"), 0, 10);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(rows[1]?.value).toBe(true);
    expect(rows[2]).toMatchObject({ value: "x", quality: "bad", reason: "why" });
    expect(rows[3]).toMatchObject({ value: null, reason: "timeout" });
    buf.close();
  });

  it("holds readings until the commit interval, then commits them in one go", async () => {
    const buf = openBuffer({ path: join(dir, "b.db"), commitIntervalMs: 30 });
    buf.append([reading(1), reading(2)]);
    expect(buf.stats()).toMatchObject({ backlog: 0, pending: 2 });
    await new Promise((r) => setTimeout(r, 80));
    expect(buf.stats()).toMatchObject({ backlog: 2, pending: 0, lastSeq: 2 });
    buf.close();
  });

  it("prunes sent readings and never reuses a seq, across a reopen", () => {
    const path = join(dir, "b.db");
    let buf = openBuffer({ path, commitIntervalMs: 0 });
    buf.append([reading(1), reading(2), reading(3)]);
    buf.markSent(1, 3);
    expect(buf.stats()).toMatchObject({ backlog: 0, lastAckedSeq: 3, oldestUnsentTs: null });
    buf.close();

    buf = openBuffer({ path, commitIntervalMs: 0 });
    buf.append([reading(4)]);
    expect(unsentReadings(path, 3, 10).map((r) => r.seq)).toEqual([4]);
    expect(buf.stats()).toMatchObject({ backlog: 1, lastSeq: 4, lastAckedSeq: 3 });
    expect(buf.lastSeq()).toBe(4);
    buf.close();
  });

  it("gives each new buffer file its own epoch and keeps it across reopens", () => {
    const a = openBuffer({ path: join(dir, "a.db") });
    const epoch = a.stats().epoch;
    a.close();
    expect(epoch).toBeGreaterThan(0);
    const again = openBuffer({ path: join(dir, "a.db") });
    expect(again.stats().epoch).toBe(epoch);
    again.close();
    const other = openBuffer({ path: join(dir, "b.db") });
    expect(other.stats().epoch).not.toBe(epoch);
    other.close();
  });

  it("keeps unsent readings across a close and reopen", () => {
    const path = join(dir, "b.db");
    const buf = openBuffer({ path, commitIntervalMs: 10_000 });
    buf.append([reading(1), reading(2)]);
    buf.close(); // close flushes what is pending
    const again = openBuffer({ path });
    expect(unsentReadings(path, 0, 10).map((r) => r.value)).toEqual([231, 232]);
    again.close();
  });

  it("acks out of order settle the watermark only when contiguous", () => {
    const buf = openBuffer({ path: join(dir, "b.db"), commitIntervalMs: 0 });
    buf.append([1, 2, 3, 4, 5, 6].map((i) => reading(i)));
    buf.markSent(4, 6);
    expect(buf.stats()).toMatchObject({ backlog: 3, lastAckedSeq: 0 });
    expect(unsentReadings(join(dir, "b.db"), 0, 10).map((r) => r.seq)).toEqual([1, 2, 3]);
    buf.markSent(1, 3);
    expect(buf.stats()).toMatchObject({ backlog: 0, lastAckedSeq: 6 });
    buf.close();
  });

  it("reads only the first contiguous run after a seq", () => {
    const buf = openBuffer({ path: join(dir, "b.db"), commitIntervalMs: 0 });
    buf.append([1, 2, 3, 4, 5].map((i) => reading(i)));
    buf.markSent(3, 3);
    expect(unsentReadings(join(dir, "b.db"), 0, 10).map((r) => r.seq)).toEqual([1, 2]);
    expect(unsentReadings(join(dir, "b.db"), 2, 10).map((r) => r.seq)).toEqual([4, 5]);
    buf.close();
  });
});

describe("buffer bounds", () => {
  const many = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => reading(from + i, { device: "x".repeat(40) }));

  it("drop-oldest keeps the newest readings under max bytes and counts every drop with its seq range", () => {
    const buf = openBuffer({ path: join(dir, "b.db"), commitIntervalMs: 0, maxBytes: 256 * 1024 });
    for (let i = 0; i < 40; i++) buf.append(many(500, i * 500));
    const s = buf.stats();
    expect(s.bytes).toBeLessThanOrEqual(256 * 1024);
    const dropped = s.dropped["buffer-full"] ?? 0;
    expect(dropped).toBeGreaterThan(0);
    // Completeness: every committed seq is either still buffered or dropped.
    expect(s.backlog + dropped).toBe(s.lastSeq);
    expect(s.droppedRanges).toEqual([[1, dropped]]);
    expect(s.lastAckedSeq).toBe(dropped);
    expect(unsentReadings(join(dir, "b.db"), 0, 1)[0]?.seq).toBe(dropped + 1);
    buf.close();
  });

  it("drop-oldest never drops readings that are in flight", () => {
    const buf = openBuffer({ path: join(dir, "b.db"), commitIntervalMs: 0, maxBytes: 256 * 1024 });
    buf.append(many(100));
    buf.protect(100);
    for (let i = 1; i < 40; i++) buf.append(many(500, i * 500));
    const s = buf.stats();
    expect(s.droppedRanges[0]?.[0]).toBe(101);
    expect(unsentReadings(join(dir, "b.db"), 0, 100).map((r) => r.seq)).toEqual(
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    expect(s.lastAckedSeq).toBe(0); // the in-flight readings are not acked yet
    buf.markSent(1, 100);
    expect(buf.stats().lastAckedSeq).toBe(s.droppedRanges[0]?.[1] as number);
    buf.close();
  });

  it("reject-new refuses readings when full and counts them; nothing committed is lost", () => {
    const buf = openBuffer({
      path: join(dir, "b.db"),
      commitIntervalMs: 0,
      maxBytes: 256 * 1024,
      whenFull: "reject-new",
    });
    for (let i = 0; i < 40; i++) buf.append(many(500, i * 500));
    const s = buf.stats();
    const rejected = s.dropped["buffer-full-rejected"] ?? 0;
    expect(rejected).toBeGreaterThan(0);
    expect(s.lastSeq + rejected).toBe(20_000);
    expect(s.backlog).toBe(s.lastSeq);
    expect(s.droppedRanges).toEqual([]);
    buf.close();
  });

  it("drops readings that waited in the buffer longer than max age, whatever their timestamps", () => {
    let t = 1_000_000;
    const buf = openBuffer({ path: join(dir, "b.db"), commitIntervalMs: 0, maxAgeMs: 60_000, now: () => t });
    // A reading timestamp from a wrong boot-time clock must not make it look old.
    buf.append([reading(1, { ts: 5 }), reading(2)]);
    t += 30_000;
    buf.append([reading(3)]);
    expect(buf.stats()).toMatchObject({ backlog: 3, dropped: {} });
    t += 40_000; // the first commit is now 70 s old, the second 40 s
    buf.append([reading(4)]);
    expect(buf.stats()).toMatchObject({
      backlog: 2,
      dropped: { "max-age": 2 },
      droppedRanges: [[1, 2]],
      lastAckedSeq: 2,
    });
    expect(unsentReadings(join(dir, "b.db"), 0, 10).map((r) => r.seq)).toEqual([3, 4]);
    buf.close();
  });

  it("remembers drop counts and ranges across a reopen", () => {
    const path = join(dir, "b.db");
    let t = 1_000_000;
    const buf = openBuffer({ path, commitIntervalMs: 0, maxAgeMs: 1000, now: () => t });
    buf.append([reading(1)]);
    t += 20_000;
    buf.append([reading(2)]);
    buf.close();
    const again = openBuffer({ path });
    expect(again.stats()).toMatchObject({
      dropped: { "max-age": 1 },
      droppedRanges: [[1, 1]],
      lastAckedSeq: 1,
      lastSeq: 2,
      backlog: 1,
    });
    again.close();
  });
});
