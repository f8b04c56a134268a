import { writeSync } from "node:fs";
import type { Migration } from "@tidegate/node-kit";

/**
 * Holds the process after each committed migration step, so a test can SIGKILL it between two
 * steps as a power cut would. The steps run synchronously, so the hold must block the thread too.
 */
export const pauseAfterEachStep =
  (ms: number) =>
  (m: Migration): void => {
    // Written synchronously: the process is about to block, and the test waits for this line.
    writeSync(2, `paused for ${ms} ms after schema version ${m.version}\n`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  };
