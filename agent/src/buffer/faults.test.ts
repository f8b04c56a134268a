import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Reading } from "@tidegate/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { unsentReadings } from "../../../test/helpers/buffer-file.js";
import { openBuffer } from "./buffer.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-buffer-faults-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const readings = (n: number, from = 0): Reading[] =>
  Array.from({ length: n }, (_, i) => ({
    ts: Date.now(),
    device: "meter-with-a-long-name",
    point: `p${from + i}`,
    value: from + i,
    quality: "good",
  }));

describe("buffer on a full disk", () => {
  it("keeps running, raises an alarm, holds readings in memory and recovers when space returns", () => {
    // max_page_count makes SQLite answer SQLITE_FULL exactly as a full filesystem would.
    const buf = openBuffer({ path: join(dir, "b.db"), commitIntervalMs: 0, maxPageCount: 40 });
    let committed = 0;
    for (let i = 0; i < 200 && buf.stats().alarms.length === 0; i++) {
      buf.append(readings(100, i * 100));
      committed = buf.stats().lastSeq;
    }
    const full = buf.stats();
    expect(full.alarms).toEqual([
      expect.objectContaining({ code: "buffer-write-failed", message: expect.stringMatching(/disk full/) }),
    ]);
    expect(full.pending).toBe(100);
    expect(full.lastSeq).toBe(committed);

    buf.append(readings(5, 1_000_000)); // still accepted, still held
    expect(buf.stats().pending).toBe(105);

    // The uplink drains: space returns, and the held readings commit in order with the next seqs.
    let first = 1;
    while (first <= committed) {
      const batch = unsentReadings(join(dir, "b.db"), first - 1, 500);
      buf.markSent(first, (batch[batch.length - 1]?.seq as number) ?? first);
      first += batch.length;
    }
    buf.flush();
    const after = buf.stats();
    expect(after.alarms).toEqual([]);
    expect(after.pending).toBe(0);
    expect(after.lastSeq).toBe(committed + 105);
    // The batch that failed was readings(100, committed): every loop before it committed 100.
    const held = [...readings(100, committed), ...readings(5, 1_000_000)].map((r) => r.value);
    expect(unsentReadings(join(dir, "b.db"), committed, 200).map((r) => r.value)).toEqual(held);
    buf.close();
  });

  it("bounds what it holds in memory and counts what it had to let go", () => {
    const buf = openBuffer({
      path: join(dir, "b.db"),
      commitIntervalMs: 0,
      maxPageCount: 30,
      maxPendingInMemory: 50,
    });
    for (let i = 0; i < 100 && buf.stats().alarms.length === 0; i++) buf.append(readings(100, i * 100));
    buf.append(readings(100));
    const s = buf.stats();
    expect(s.pending).toBe(50);
    expect(s.dropped["buffer-unwritable"]).toBe(150);
    buf.close();
  });
});

describe("corrupt buffer file", () => {
  it("is moved aside, never deleted, and a new file starts with an alarm", () => {
    const path = join(dir, "b.db");
    writeFileSync(
      path,
      "this is not a sqlite database, it is what a failing SD card left behind".repeat(100),
    );
    const buf = openBuffer({ path, commitIntervalMs: 0 });
    const s = buf.stats();
    expect(s.alarms).toEqual([
      expect.objectContaining({
        code: "buffer-corrupt",
        message: expect.stringMatching(/moved to .*b\.db\.corrupt-/),
      }),
    ]);
    const aside = readdirSync(dir).filter((f) => f.startsWith("b.db.corrupt-"));
    expect(aside).toHaveLength(1);
    expect(existsSync(join(dir, aside[0] as string))).toBe(true);
    buf.append(readings(3));
    expect(buf.stats().lastSeq).toBe(3);
    buf.close();
  });
});
