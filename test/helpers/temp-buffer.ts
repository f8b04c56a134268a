import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Reading } from "@tidegate/protocol";
import { afterEach, beforeEach } from "vitest";
import { openBuffer, type ReadingBuffer } from "../../agent/src/buffer/buffer.js";

/**
 * A fresh agent buffer on disk for each test (committed at once), removed after it. Returns the
 * current one, and `add(n)` to commit n good readings to it.
 */
export function useTempBuffer(name: string) {
  let dir: string;
  let buffer: ReadingBuffer;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), `tidegate-${name}-`));
    buffer = openBuffer({ path: join(dir, "b.db"), commitIntervalMs: 0 });
  });
  afterEach(() => {
    buffer.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    buffer: () => buffer,
    add: (n: number) =>
      buffer.append(
        Array.from(
          { length: n },
          (): Reading => ({ ts: Date.now(), device: "d", point: "p", value: 1, quality: "good" }),
        ),
      ),
  };
}
