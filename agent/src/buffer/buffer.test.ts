import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Reading } from "@tidegate/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openBuffer } from "./buffer.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-buffer-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const reading = (i: number, extra: Partial<Reading> = {}): Reading => ({
  ts: 1_700_000_000_000 + i,
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
    const rows = buf.readUnsent(0, 10);
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
    buf.markSent(3);
    expect(buf.stats()).toMatchObject({ backlog: 0, lastAckedSeq: 3, oldestUnsentTs: null });
    buf.close();

    buf = openBuffer({ path, commitIntervalMs: 0 });
    buf.append([reading(4)]);
    expect(buf.readUnsent(3, 10).map((r) => r.seq)).toEqual([4]);
    expect(buf.stats()).toMatchObject({ backlog: 1, lastSeq: 4, lastAckedSeq: 3 });
    buf.close();
  });

  it("keeps unsent readings across a close and reopen", () => {
    const path = join(dir, "b.db");
    const buf = openBuffer({ path, commitIntervalMs: 10_000 });
    buf.append([reading(1), reading(2)]);
    buf.close(); // close flushes what is pending
    const again = openBuffer({ path });
    expect(again.readUnsent(0, 10).map((r) => r.value)).toEqual([231, 232]);
    again.close();
  });
});
