import type { Rollout } from "@tidegate/protocol";
import { describe, expect, it } from "vitest";
import { progressOf, type RolloutForm, rolloutRequest, shownRollout, toneOf } from "./rollouts.js";

const form = (over: Partial<RolloutForm> = {}): RolloutForm => ({
  version: "2.0.0",
  kind: "percent",
  target: "25",
  canary: "1",
  soakS: "300",
  ...over,
});

describe("rolloutRequest", () => {
  it("turns the form into the collector's request", () => {
    expect(rolloutRequest(form())).toEqual({
      ok: true,
      request: { version: "2.0.0", target: { percent: 25 }, canary: 1, soakS: 300 },
    });
    expect(rolloutRequest(form({ kind: "site", target: " Plant Nord " }))).toMatchObject({
      request: { target: { site: "Plant Nord" } },
    });
    expect(rolloutRequest(form({ kind: "gateways", target: "gw-a, gw-b  gw-c" }))).toMatchObject({
      request: { target: { gateways: ["gw-a", "gw-b", "gw-c"] } },
    });
    expect(rolloutRequest(form({ target: "12,5" }))).toMatchObject({
      request: { target: { percent: 12.5 } },
    });
  });

  it("says what to fix", () => {
    expect(rolloutRequest(form({ version: "" }))).toMatchObject({ ok: false, error: /release/i });
    expect(rolloutRequest(form({ target: "0" }))).toMatchObject({ ok: false, error: /percent/i });
    expect(rolloutRequest(form({ target: "101" }))).toMatchObject({ ok: false });
    expect(rolloutRequest(form({ canary: "0" }))).toMatchObject({ ok: false, error: /canary/i });
    expect(rolloutRequest(form({ soakS: "5 min" }))).toMatchObject({ ok: false, error: /soak/i });
    expect(rolloutRequest(form({ kind: "gateways", target: " , " }))).toMatchObject({ ok: false });
    expect(rolloutRequest(form({ kind: "site", target: "" }))).toMatchObject({ ok: false });
  });
});

describe("progressOf", () => {
  it("is the download's percentage, only while downloading", () => {
    expect(progressOf({ state: "downloading", received: 512, size: 1024 })).toBe(50);
    expect(progressOf({ state: "downloading" })).toBeUndefined();
    expect(progressOf({ state: "installing", received: 1, size: 1 })).toBeUndefined();
  });
});

describe("shownRollout", () => {
  const r = (id: string, state: Rollout["state"]) => ({ id, state }) as Rollout;
  it("shows the one under way before the newest", () => {
    expect(shownRollout([r("new", "done"), r("old", "paused")])?.id).toBe("old");
    expect(shownRollout([r("new", "halted"), r("old", "done")])?.id).toBe("new");
    expect(shownRollout([])).toBeUndefined();
  });
});

describe("toneOf", () => {
  it("colours good, bad, waiting and moving states apart", () => {
    expect(
      ["healthy", "done", "failed", "halted", "pending", "downloading"].map((s) => toneOf(s as never)),
    ).toEqual(["ok", "ok", "bad", "bad", "neutral", "warn"]);
  });
});
