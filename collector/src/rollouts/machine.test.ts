import type { Rollout, RolloutRequestInput, UpgradeStatus } from "@tidegate/protocol";
import { rolloutRequestSchema } from "@tidegate/protocol";
import { describe, expect, it } from "vitest";
import { afterSend, controlRollout, type GatewaySeen, stepRollout } from "./machine.js";
import { type FleetMember, planRollout } from "./plan.js";

const fleet: FleetMember[] = [
  { id: "gw-a", site: "north", version: "1.0.0" },
  { id: "gw-b", site: "north", version: "1.0.0" },
  { id: "gw-c", site: "south", version: "1.0.0" },
  { id: "gw-d", site: "south", version: "1.0.0" },
];

function plan(input: Partial<RolloutRequestInput> = {}, members = fleet): Rollout {
  const req = rolloutRequestSchema.parse({ version: "2.0.0", target: { percent: 100 }, soakS: 60, ...input });
  const planned = planRollout(req, members, { id: "r1", now: 0, by: "alice" });
  if (!planned.ok) throw new Error(planned.error);
  return planned.rollout;
}

const healthyOn = (version: string, at: number, upgrade?: Partial<UpgradeStatus>): GatewaySeen => ({
  online: true,
  heartbeatAt: at,
  version,
  uplinkConnected: true,
  sources: [{ device: "meter", status: "ok" }],
  ...(upgrade ? { upgrade: { state: "healthy", version: "2.0.0", at, ...upgrade } } : {}),
});

/** A fleet's heartbeats: every gateway on 1.0.0, healthy, unless set otherwise. */
function fleetSeen(at: number, over: Record<string, GatewaySeen> = {}) {
  return new Map(fleet.map((g) => [g.id, over[g.id] ?? healthyOn("1.0.0", at)]));
}

const opts = (now: number) => ({ now, upgradeTimeoutMs: 600_000 });
const states = (r: Rollout) => Object.fromEntries(r.gateways.map((g) => [g.id, g.state]));

describe("planRollout", () => {
  it("puts the canary alone in wave 0 and the rest in waves of waveSize", () => {
    const r = plan({ canary: 1, waveSize: 2 });
    expect(r.gateways.map((g) => [g.id, g.wave])).toEqual([
      ["gw-a", 0],
      ["gw-b", 1],
      ["gw-c", 1],
      ["gw-d", 2],
    ]);
    expect(r).toMatchObject({
      waves: 3,
      wavesStarted: 1,
      state: "running",
      soakMs: 60_000,
      createdBy: "alice",
    });
  });

  it("defaults to one wave after the canary, and a 5 minute soak", () => {
    const req = rolloutRequestSchema.parse({ version: "2.0.0", target: { site: "south" } });
    const planned = planRollout(req, fleet, { id: "r", now: 0 });
    expect(planned.ok && planned.rollout).toMatchObject({ waves: 2, canary: 1, soakMs: 300_000 });
    expect(planned.ok && planned.rollout.gateways.map((g) => g.id)).toEqual(["gw-c", "gw-d"]);
  });

  it("takes a percentage of the fleet by id, rounded up", () => {
    expect(plan({ target: { percent: 50 } }).gateways.map((g) => g.id)).toEqual(["gw-a", "gw-b"]);
    expect(plan({ target: { percent: 1 } }).gateways.map((g) => g.id)).toEqual(["gw-a"]);
  });

  it("refuses unknown gateways and empty sites with what is wrong", () => {
    const req = rolloutRequestSchema.parse({ version: "2.0.0", target: { gateways: ["gw-a", "gw-x"] } });
    expect(planRollout(req, fleet, { id: "r", now: 0 })).toEqual({
      ok: false,
      error: "target.gateways: unknown gateway gw-x (never seen by this collector)",
    });
    const site = rolloutRequestSchema.parse({ version: "2.0.0", target: { site: "west" } });
    expect(planRollout(site, fleet, { id: "r", now: 0 })).toMatchObject({
      error: /no gateway is at site 'west'/,
    });
  });

  it("counts a gateway that already runs the version as healthy", () => {
    const r = plan({}, [
      { id: "gw-a", version: "2.0.0" },
      { id: "gw-b", version: "1.0.0" },
    ]);
    expect(states(r)).toEqual({ "gw-a": "healthy", "gw-b": "pending" });
  });
});

describe("stepRollout", () => {
  it("sends the canary first, and the next wave only after the canary stayed healthy for the soak", () => {
    let r = plan({ canary: 1 });
    let step = stepRollout(r, fleetSeen(1), opts(1));
    expect(step.send).toEqual(["gw-a"]);
    r = afterSend(step.rollout, "gw-a", { ok: true, result: { state: "downloading" } }, 2);
    expect(states(r)["gw-a"]).toBe("downloading");

    // Progress comes in the canary's heartbeats.
    const downloading = healthyOn("1.0.0", 3, { state: "downloading", received: 10, size: 100 });
    step = stepRollout(r, fleetSeen(3, { "gw-a": downloading }), opts(3));
    expect(step.rollout.gateways[0]).toMatchObject({ state: "downloading", received: 10, size: 100 });
    expect(step.send).toEqual([]);
    step = stepRollout(
      step.rollout,
      fleetSeen(4, { "gw-a": healthyOn("1.0.0", 4, { state: "restarting" }) }),
      opts(4),
    );
    expect(states(step.rollout)["gw-a"]).toBe("restarting");

    // Healthy on 2.0.0 from t=10 ms: the 60 s soak ends at 60_010.
    step = stepRollout(step.rollout, fleetSeen(10, { "gw-a": healthyOn("2.0.0", 10, {}) }), opts(10));
    expect(step.rollout.gateways[0]).toMatchObject({ state: "healthy", healthySince: 10 });
    expect(step.rollout.gateways[0]?.received).toBeUndefined();
    step = stepRollout(
      step.rollout,
      fleetSeen(60_000, { "gw-a": healthyOn("2.0.0", 60_000, {}) }),
      opts(60_000),
    );
    expect(step.rollout.wavesStarted).toBe(1);
    expect(step.send).toEqual([]);
    step = stepRollout(
      step.rollout,
      fleetSeen(60_010, { "gw-a": healthyOn("2.0.0", 60_010, {}) }),
      opts(60_010),
    );
    expect(step.rollout.wavesStarted).toBe(2);
    expect(step.send).toEqual(["gw-b", "gw-c", "gw-d"]);
  });

  it("takes the gateway's healthy upgrade status as running the version (a build whose version string lags)", () => {
    let r = plan();
    r = afterSend(stepRollout(r, fleetSeen(1), opts(1)).rollout, "gw-a", { ok: true, result: {} }, 2);
    const step = stepRollout(r, fleetSeen(10, { "gw-a": healthyOn("1.0.0", 10, {}) }), opts(10));
    expect(step.rollout.gateways[0]).toMatchObject({ state: "healthy", healthySince: 10 });
  });

  it("starts the soak again when an upgraded gateway stops being healthy", () => {
    let r = plan();
    r = afterSend(stepRollout(r, fleetSeen(1), opts(1)).rollout, "gw-a", { ok: true, result: {} }, 2);
    let step = stepRollout(r, fleetSeen(10, { "gw-a": healthyOn("2.0.0", 10, {}) }), opts(10));
    const failing: GatewaySeen = {
      ...healthyOn("2.0.0", 30_000, {}),
      sources: [{ device: "meter", status: "failing" }],
    };
    step = stepRollout(step.rollout, fleetSeen(30_000, { "gw-a": failing }), opts(30_000));
    expect(step.rollout.gateways[0]).toMatchObject({
      state: "healthy",
      note: "not healthy now: device meter failing",
    });
    expect(step.rollout.gateways[0]?.healthySince).toBeUndefined();
    step = stepRollout(
      step.rollout,
      fleetSeen(40_000, { "gw-a": healthyOn("2.0.0", 40_000, {}) }),
      opts(40_000),
    );
    step = stepRollout(
      step.rollout,
      fleetSeen(80_000, { "gw-a": healthyOn("2.0.0", 80_000, {}) }),
      opts(80_000),
    );
    expect(step.rollout.wavesStarted).toBe(1);
    step = stepRollout(
      step.rollout,
      fleetSeen(100_000, { "gw-a": healthyOn("2.0.0", 100_000, {}) }),
      opts(100_000),
    );
    expect(step.rollout.wavesStarted).toBe(2);
  });

  it("halts when a gateway rolls back, and sends nothing more", () => {
    let r = plan();
    r = afterSend(stepRollout(r, fleetSeen(1), opts(1)).rollout, "gw-a", { ok: true, result: {} }, 2);
    const back = healthyOn("1.0.0", 20, {
      state: "rolled-back",
      error: "not healthy within 10 s; back to 1.0.0",
    });
    const step = stepRollout(r, fleetSeen(20, { "gw-a": back }), opts(20));
    expect(step.rollout).toMatchObject({
      state: "halted",
      reason: "gw-a rolled back: not healthy within 10 s; back to 1.0.0",
    });
    expect(step.send).toEqual([]);
    expect(stepRollout(step.rollout, fleetSeen(90_000), opts(90_000)).send).toEqual([]);
  });

  it("halts when the gateway refuses the release (unsigned, another key) or the command", () => {
    let r = plan();
    r = afterSend(stepRollout(r, fleetSeen(1), opts(1)).rollout, "gw-a", { ok: true, result: {} }, 2);
    const refused = healthyOn("1.0.0", 5, { state: "refused", error: "the release has no signature" });
    expect(stepRollout(r, fleetSeen(5, { "gw-a": refused }), opts(5)).rollout).toMatchObject({
      state: "halted",
      reason: "gw-a failed: the release has no signature",
    });
    const noKey = afterSend(
      plan(),
      "gw-a",
      { ok: false, failure: "refused", error: "agent.upgrade: no key" },
      2,
    );
    expect(stepRollout(noKey, fleetSeen(3), opts(3)).rollout.reason).toBe(
      "gw-a failed: agent.upgrade: no key",
    );
  });

  it("ignores an upgrade status from before the upgrade was sent", () => {
    let r = plan();
    r = afterSend(stepRollout(r, fleetSeen(1), opts(1)).rollout, "gw-a", { ok: true, result: {} }, 50);
    const old = healthyOn("1.0.0", 40, { state: "rolled-back", error: "an earlier try" });
    expect(stepRollout(r, fleetSeen(40, { "gw-a": old }), opts(60)).rollout.state).toBe("running");
  });

  it("fails a gateway that never reports healthy after the upgrade was sent (a build that cannot start)", () => {
    let r = plan();
    r = afterSend(stepRollout(r, fleetSeen(1), opts(1)).rollout, "gw-a", { ok: true, result: {} }, 2);
    const gone: GatewaySeen = {
      online: false,
      heartbeatAt: 5,
      upgrade: { state: "restarting", version: "2.0.0", at: 5 },
    };
    const step = stepRollout(r, fleetSeen(5, { "gw-a": gone }), { now: 1000, upgradeTimeoutMs: 500 });
    expect(step.rollout.state).toBe("running");
    const late = stepRollout(step.rollout, fleetSeen(5, { "gw-a": { ...gone, upgrade: undefined } }), {
      now: 1000,
      upgradeTimeoutMs: 500,
    });
    expect(late.rollout.reason).toBe(
      "gw-a failed: not healthy on 2.0.0 within 1 s of the upgrade being sent (offline)",
    );
  });

  it("lets an offline gateway wait without holding up the waves, and sends it when it is back", () => {
    let r = plan({ canary: 1, waveSize: 1 }); // gw-a, then gw-b, gw-c, gw-d one by one
    r = afterSend(stepRollout(r, fleetSeen(1), opts(1)).rollout, "gw-a", { ok: true, result: {} }, 2);
    const offline: GatewaySeen = { ...healthyOn("1.0.0", 0), online: false };
    let step = stepRollout(
      r,
      fleetSeen(10, { "gw-a": healthyOn("2.0.0", 10, {}), "gw-b": offline }),
      opts(10),
    );
    step = stepRollout(
      step.rollout,
      fleetSeen(70_000, { "gw-a": healthyOn("2.0.0", 70_000, {}), "gw-b": offline }),
      opts(70_000),
    );
    expect(step.rollout.wavesStarted).toBe(2);
    expect(step.send).toEqual([]);
    expect(step.rollout.gateways[1]).toMatchObject({
      state: "pending",
      note: "offline: sent when it is seen again",
    });
    // Nothing in progress and gw-a soaked: wave 3 starts although gw-b is away.
    step = stepRollout(
      step.rollout,
      fleetSeen(70_001, { "gw-a": healthyOn("2.0.0", 70_001, {}), "gw-b": offline }),
      opts(70_001),
    );
    expect(step.rollout.wavesStarted).toBe(3);
    expect(step.send).toEqual(["gw-c"]);
    step = stepRollout(
      step.rollout,
      fleetSeen(70_002, { "gw-a": healthyOn("2.0.0", 70_002, {}) }),
      opts(70_002),
    );
    expect(step.send).toEqual(["gw-b", "gw-c"]);
  });

  it("keeps an offline canary's wave waiting: nothing has proved the release yet", () => {
    const offline: GatewaySeen = { ...healthyOn("1.0.0", 0), online: false };
    const step = stepRollout(plan(), fleetSeen(1, { "gw-a": offline }), opts(900_000));
    expect(step.rollout.wavesStarted).toBe(1);
    expect(step.send).toEqual([]);
  });

  it("keeps a gateway whose send found nobody listening pending, and sends again", () => {
    const r = afterSend(plan(), "gw-a", { ok: false, failure: "not-listening", error: "not listening" }, 2);
    expect(r.gateways[0]).toMatchObject({ state: "pending", note: "offline: not listening" });
    expect(stepRollout(r, fleetSeen(3), opts(3)).send).toEqual(["gw-a"]);
  });

  it("is done once every gateway runs the version and stayed healthy for the soak", () => {
    let r = plan({ target: { gateways: ["gw-a"] }, soakS: 0 });
    r = afterSend(stepRollout(r, fleetSeen(1), opts(1)).rollout, "gw-a", { ok: true, result: {} }, 2);
    const step = stepRollout(r, fleetSeen(3, { "gw-a": healthyOn("2.0.0", 3, {}) }), opts(3));
    expect(step.rollout).toMatchObject({ state: "done", reason: "1 gateways run 2.0.0 and stayed healthy" });
  });
});

describe("controlRollout", () => {
  it("pauses (no sends, no new waves), resumes and aborts", () => {
    const paused = controlRollout(plan(), "pause", { now: 5, by: "alice" });
    expect(paused).toMatchObject({ ok: true, rollout: { state: "paused", reason: "paused by alice" } });
    if (!paused.ok) return;
    expect(stepRollout(paused.rollout, fleetSeen(6), opts(6)).send).toEqual([]);
    const resumed = controlRollout(paused.rollout, "resume", { now: 7 });
    expect(resumed.ok && resumed.rollout.state).toBe("running");
    expect(resumed.ok && resumed.rollout.reason).toBeUndefined();
    const aborted = controlRollout(paused.rollout, "abort", { now: 8, by: "bob" });
    expect(aborted.ok && aborted.rollout).toMatchObject({ state: "aborted", reason: "aborted by bob" });
    if (aborted.ok) expect(stepRollout(aborted.rollout, fleetSeen(9), opts(9)).send).toEqual([]);
  });

  it("refuses what the state does not allow, saying why", () => {
    expect(controlRollout(plan(), "resume", { now: 1 })).toEqual({
      ok: false,
      error: "rollout r1 is running; resume needs it paused",
    });
    const halted: Rollout = { ...plan(), state: "halted" };
    expect(controlRollout(halted, "resume", { now: 1 })).toMatchObject({
      error: /stays halted: start a new one/,
    });
  });
});
