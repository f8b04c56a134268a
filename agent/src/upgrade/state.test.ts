import { describe, expect, it } from "vitest";
import { transition, type UpgradeEvent, UpgradeTransitionError } from "./state.js";

const run = (events: UpgradeEvent[]) => {
  let s: ReturnType<typeof transition> | undefined;
  let t = 0;
  for (const e of events) s = transition(s, e, ++t);
  return s;
};
const start: UpgradeEvent = { type: "start", version: "2.0.0", from: "1.0.0" };

describe("upgrade states", () => {
  it("goes downloading → verifying → installing → restarting → healthy", () => {
    const states: string[] = [];
    let s: ReturnType<typeof transition> | undefined;
    const events: UpgradeEvent[] = [
      start,
      { type: "progress", received: 10, size: 20 },
      { type: "downloaded" },
      { type: "verified" },
      { type: "installed" },
      { type: "running", version: "2.0.0", healthy: false },
      { type: "running", version: "2.0.0", healthy: true },
    ];
    events.forEach((e, i) => {
      s = transition(s, e, i);
      states.push(s.state);
    });
    expect(states).toEqual([
      "downloading",
      "downloading",
      "verifying",
      "installing",
      "restarting",
      "restarting",
      "healthy",
    ]);
    expect(s).toEqual({ state: "healthy", version: "2.0.0", from: "1.0.0", at: 6 });
  });

  it("keeps download progress while downloading and drops it after", () => {
    expect(run([start, { type: "progress", received: 5, size: 9 }])).toMatchObject({ received: 5, size: 9 });
    expect(
      run([start, { type: "progress", received: 9, size: 9 }, { type: "downloaded" }]),
    ).not.toHaveProperty("received");
  });

  it("refuses a release at verification and fails with why from any step", () => {
    expect(
      run([start, { type: "downloaded" }, { type: "refused", error: "signed by another key" }]),
    ).toMatchObject({ state: "refused", error: "signed by another key" });
    expect(run([start, { type: "failed", error: "link down" }])).toMatchObject({
      state: "failed",
      error: "link down",
    });
    // Refusing is verification's verdict, not the download's.
    expect(() => run([start, { type: "refused", error: "x" }])).toThrow(UpgradeTransitionError);
  });

  it("rolls back only from restarting", () => {
    const installed = run([start, { type: "downloaded" }, { type: "verified" }, { type: "installed" }]);
    expect(transition(installed, { type: "rolled-back", error: "not healthy" }, 9)).toMatchObject({
      state: "rolled-back",
      error: "not healthy",
    });
    expect(() => run([start, { type: "rolled-back", error: "x" }])).toThrow(
      /rolled-back cannot follow downloading/,
    );
  });

  it("fails when the restarted gateway runs another version than the one installed", () => {
    const s = run([
      start,
      { type: "downloaded" },
      { type: "verified" },
      { type: "installed" },
      { type: "running", version: "1.0.0", healthy: true },
    ]);
    expect(s).toMatchObject({
      state: "failed",
      error: "after the restart this gateway runs 1.0.0, not 2.0.0",
    });
  });

  it("starts one upgrade at a time, and a new one after the last ended", () => {
    expect(() => run([start, start])).toThrow(/an upgrade to 2\.0\.0 is under way \(downloading\)/);
    expect(run([start, { type: "failed", error: "x" }, { ...start, version: "2.0.1" }])).toMatchObject({
      state: "downloading",
      version: "2.0.1",
    });
    expect(() => run([{ type: "downloaded" }])).toThrow(/no upgrade is under way/);
  });
});
