import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { getJson, waitFor } from "../e2e/helpers/wait.js";
import { sleep } from "./helpers/chaos.js";
import { finishScenario, useRig } from "./helpers/scenario.js";

// Scenario 6: the disk under the buffer fills up. The agent must stay up, raise the alarm, keep
// the readings it cannot write in memory, and recover by itself when space returns.
// A real small filesystem (tmpfs, mounted as root) is filled by a ballast file, the way logs or
// another program fill a Pi's SD card; deleting the ballast gives the space back. Where mounting
// is not allowed, SQLite's max_page_count caps the file instead, and draining frees the pages.

interface Status {
  alarms?: { code: string; message: string }[];
  buffer: { backlog: number };
  seq: { committed: number };
}

function mountSmallDisk(): { dir: string; release: () => void } | undefined {
  const dir = mkdtempSync(join(tmpdir(), "tidegate-fault-disk-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", dir], { stdio: "ignore" });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return {
    dir,
    release: () => {
      execFileSync("umount", [dir], { stdio: "ignore" });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const rigFor = useRig();

describe("fault: disk full under the buffer", () => {
  it("the agent stays up, raises the alarm, holds readings and recovers when space returns", async () => {
    const disk = mountSmallDisk();
    const rig = await rigFor({
      gateway: "fault-disk-full",
      pollIntervalMs: 100,
      ...(disk ? { bufferPath: join(disk.dir, "buffer.db") } : { agentKnobs: { maxPageCount: 24 } }),
    });
    if (disk) rig.defer(async () => disk.release());
    const ballast = disk ? join(disk.dir, "ballast") : undefined;
    await rig.waitStored(50);

    // Fill the disk (all but ~100 KB) and cut the link, so the buffer must grow into the wall.
    if (ballast)
      writeFileSync(ballast, Buffer.alloc(2 * 1024 * 1024 - 100 * 1024 - freeBytesUsedByBuffer(disk?.dir)));
    await rig.nats.stop();
    const status = () => getJson<Status>(`${rig.agent.url}/api/v1/status`);
    const full = await waitFor(
      () => `the disk-full alarm\n${rig.context()}`,
      async () => {
        const s = await status();
        return s.alarms?.find((a) => a.code === "buffer-write-failed") ? s : undefined;
      },
      30_000,
      200,
    );
    expect(full.alarms?.[0]?.message).toMatch(/disk full|database or disk is full/);
    await sleep(1500);
    // Still up and still reading: the HTTP API answers and the process has not died.
    expect(rig.agent.alive()).toBe(true);
    expect((await status()).alarms?.length).toBeGreaterThan(0);

    // Space returns: the ballast goes (or, under max_page_count, the drain frees pages).
    if (ballast) rmSync(ballast);
    else await rig.nats.start();
    await waitFor(
      () => `the alarm to clear after space returned\n${rig.context()}`,
      async () => ((await status()).alarms ?? []).every((a) => a.code !== "buffer-write-failed"),
      // Under max_page_count space returns only once the agent is back on NATS and drains, and
      // after a ~15 s outage its backoff may wait up to its 30 s cap before the next dial.
      ballast ? 30_000 : 60_000,
      200,
    );
    if (ballast) await rig.nats.start();

    const tally = await finishScenario(rig, "disk-full", { timeoutMs: 30_000 });
    expect(tally.dropped["buffer-unwritable"] ?? 0).toBe(0);
  });
});

/** The buffer already holds some of the small disk; leave ~100 KB free in total. */
function freeBytesUsedByBuffer(dir: string | undefined): number {
  if (!dir) return 0;
  const out = execFileSync("du", ["-sb", dir]).toString();
  return Number(out.split(/\s+/)[0] ?? 0);
}
