import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type System, startSystem } from "./helpers/system.js";
import type { StartedAgent } from "./helpers/tidegate.js";
import { getJson, waitFor } from "./helpers/wait.js";

// A gateway reinstalled with an empty buffer starts its seqs at 1 again. Its new buffer has a new
// epoch, so the collector stores the new readings instead of taking them for repeats of old seqs.

let sys: System;
beforeAll(async () => {
  sys = await startSystem("reinstall-plant");
});
afterAll(async () => {
  await sys?.stop();
});

interface Seq {
  max: number;
  stored: number;
  missing: number;
}
const gatewaySeq = async () =>
  (
    await getJson<{ gateways: { id: string; seq: Seq }[] }>(`${sys.collector.url}/api/v1/gateways`)
  ).gateways.find((g) => g.id === "reinstall-plant")?.seq;
const voltageCount = async () =>
  (
    await getJson<{ ts: number[] }>(
      `${sys.collector.url}/api/v1/series?gateway=reinstall-plant&device=meter-1&point=voltage&from=0&to=${Date.now() + 60_000}`,
    )
  ).ts.length;

describe("a reinstalled gateway", () => {
  it("delivers again from seq 1 under a new epoch, and nothing is ignored as a repeat", async () => {
    const agent = sys.agent as StartedAgent;
    await waitFor("readings from the first install", async () => ((await gatewaySeq())?.max ?? 0) >= 100);
    await agent.kill("SIGTERM");
    const before = await voltageCount();
    const oldMax = (await gatewaySeq())?.max ?? 0;

    for (const suffix of ["", "-wal", "-shm"]) rmSync(join(agent.dir, `buffer.db${suffix}`), { force: true });
    await agent.start();

    const seq = await waitFor(
      "the new install's readings at the collector",
      async () => {
        const s = await gatewaySeq();
        // The heartbeat switches completeness to the new epoch, whose seqs start at 1 again.
        return s && s.max > 0 && s.max < oldMax && s.missing === 0 && s.stored >= 20 ? s : undefined;
      },
      20_000,
    );
    expect(seq.stored).toBe(seq.max);
    expect(await voltageCount()).toBeGreaterThan(before);
  });
});
