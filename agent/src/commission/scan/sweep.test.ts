import { describe, expect, it } from "vitest";
import { type ProbeOutcome, type SweepStep, sweep } from "./sweep.js";

/** A line whose answers are given per setting and unit id; pure logic, no port. */
function step(
  setting: string,
  answers: Record<number, ProbeOutcome>,
  asked: string[],
  ids = [1, 2, 3],
): SweepStep {
  return {
    setting,
    unitIds: ids,
    timeoutMs: 10,
    run: (body) =>
      body({
        probe: async (unitId) => {
          asked.push(`${setting}/${unitId}`);
          return answers[unitId] ?? "silent";
        },
      }),
  };
}

describe("sweep", () => {
  it("records devices and noise, and ends after the setting that found devices", async () => {
    const asked: string[] = [];
    const done = await sweep(
      [
        step("9600 8N1", { 2: "noise" }, asked),
        step("9600 8E1", { 3: "device" }, asked),
        step("19200 8N1", {}, asked),
      ],
      { signal: new AbortController().signal },
    );
    expect(done.found).toEqual([{ unitId: 3, setting: "9600 8E1" }]);
    expect(done.noise).toEqual({ "9600 8N1": 1 });
    expect(done.settingsDone).toBe(2);
    expect(asked).not.toContain("19200 8N1/1");
    expect(done.etaMs).toBe(0);
  });

  it("goes on through every setting when asked to", async () => {
    const asked: string[] = [];
    const done = await sweep([step("a", { 1: "device" }, asked), step("b", { 1: "device" }, asked)], {
      signal: new AbortController().signal,
      allSettings: true,
    });
    expect(done.found.map((f) => f.setting)).toEqual(["a", "b"]);
  });

  it("stops between requests once cancelled, with what it found so far", async () => {
    const asked: string[] = [];
    const abort = new AbortController();
    const s = step("a", { 1: "device" }, asked);
    const cancelling: SweepStep = {
      ...s,
      run: (body) =>
        s.run((line) =>
          body({
            probe: async (id, t) => {
              const r = await line.probe(id, t);
              if (id === 1) abort.abort();
              return r;
            },
          }),
        ),
    };
    const done = await sweep([cancelling, step("b", {}, asked)], { signal: abort.signal });
    expect(asked).toEqual(["a/1"]);
    expect(done.found).toEqual([{ unitId: 1, setting: "a" }]);
  });

  it("reports progress with the time left shrinking", async () => {
    const seen: number[] = [];
    const ids = Array.from({ length: 40 }, (_, i) => i + 1);
    await sweep([step("a", {}, [], ids)], {
      signal: new AbortController().signal,
      onProgress: (p) => seen.push(p.etaMs),
    });
    expect(seen[0]).toBe(400);
    expect(seen.at(-1)).toBe(0);
    expect([...seen].sort((x, y) => y - x)).toEqual(seen);
  });
});
