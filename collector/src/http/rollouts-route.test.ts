import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testAuthStore } from "@tidegate/http-kit/testing";
import type { ReleaseManifest, Rollout } from "@tidegate/protocol";
import { afterAll, describe, expect, it } from "vitest";
import { heartbeatAt } from "../../../test/helpers/heartbeat.js";
import type { SendCommand } from "../remote/commands.js";
import { createRolloutDriver } from "../rollouts/driver.js";
import { openSqliteStore } from "../store/sqlite-store.js";
import { createCollectorApp } from "./app.js";

const dir = mkdtempSync(join(tmpdir(), "tidegate-rollout-routes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let clock = 1_700_000_000_000;
const heartbeat = (gateway: string, version: string) =>
  heartbeatAt(gateway, clock, { version, sources: [{ device: "meter", status: "ok", successRate: 1 }] });

function setup(file = "c.db") {
  const store = openSqliteStore(join(dir, file));
  for (const id of ["gw-a", "gw-b", "gw-c"]) store.saveHeartbeat(heartbeat(id, "1.0.0"), clock);
  const sent: string[] = [];
  const send: SendCommand = async (gateway, verb, args) => {
    sent.push(`${gateway} ${verb} ${JSON.stringify(args)}`);
    return { ok: true, result: { state: "downloading" } };
  };
  const now = () => clock;
  const driver = createRolloutDriver({ store, send, offlineAfterMs: 30_000, now });
  const auth = testAuthStore();
  const releases = new Map<string, ReleaseManifest>([
    [
      "2.0.0",
      { app: "agent", version: "2.0.0", sha256: "0".repeat(64), size: 1, signature: "x", uploadedAt: 0 },
    ],
  ]);
  const app = createCollectorApp({
    store,
    version: "t",
    auth: { store: auth.store },
    now,
    releases: {
      shelf: {
        list: async () => [...releases.values()],
        get: async (v) => releases.get(v),
        put: async () => {},
      },
    },
    rollouts: driver,
  });
  const call = (method: string, path: string, body?: unknown, role: "admin" | "viewer" = "admin") =>
    app.request(path, {
      method,
      headers: { "content-type": "application/json", ...auth.headers[role] },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
  return { store, sent, driver, call };
}

describe("rollout routes", () => {
  it("starts a rollout with the canary sent at once, lists it, pauses, resumes and aborts it, each audited", async () => {
    const { store, sent, call } = setup();
    const res = await call("POST", "/api/v1/rollouts", {
      version: "2.0.0",
      target: { percent: 100 },
      soakS: 1,
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const { rollout } = (await res.json()) as { rollout: Rollout };
    expect(rollout).toMatchObject({
      version: "2.0.0",
      state: "running",
      waves: 2,
      createdBy: "token:test admin",
    });
    expect(rollout.gateways.map((g) => [g.id, g.wave, g.state])).toEqual([
      ["gw-a", 0, "downloading"],
      ["gw-b", 1, "pending"],
      ["gw-c", 1, "pending"],
    ]);
    expect(sent).toEqual([`gw-a agent.upgrade {"version":"2.0.0"}`]);

    const list = await call("GET", "/api/v1/rollouts", undefined, "viewer");
    expect(((await list.json()) as { rollouts: Rollout[] }).rollouts.map((r) => r.id)).toEqual([rollout.id]);
    const one = await call("GET", `/api/v1/rollouts/${rollout.id}`, undefined, "viewer");
    expect(((await one.json()) as { rollout: Rollout }).rollout.gateways[0]?.state).toBe("downloading");

    // A second one while this one runs is refused.
    const second = await call("POST", "/api/v1/rollouts", { version: "2.0.0", target: { site: "x" } });
    expect(second.status).toBe(409);
    expect((await second.json()).error).toMatch(/is running; abort it or let it finish first/);

    const paused = await call("POST", `/api/v1/rollouts/${rollout.id}/pause`);
    expect(((await paused.json()) as { rollout: Rollout }).rollout).toMatchObject({
      state: "paused",
      reason: "paused by token:test admin",
    });
    const again = await call("POST", `/api/v1/rollouts/${rollout.id}/pause`);
    expect(again.status).toBe(409);
    expect((await again.json()).error).toBe(`rollout ${rollout.id} is paused; pause needs it running`);
    expect((await call("POST", `/api/v1/rollouts/${rollout.id}/resume`)).status).toBe(200);
    const aborted = await call("POST", `/api/v1/rollouts/${rollout.id}/abort`);
    expect(((await aborted.json()) as { rollout: Rollout }).rollout.state).toBe("aborted");
    expect(store.rollout(rollout.id)?.state).toBe("aborted");

    const audit = await call("GET", "/api/v1/audit");
    const actions = (
      (await audit.json()) as { entries: { action: string; target: string; ok: boolean }[] }
    ).entries
      .filter((e) => e.action.startsWith("rollout."))
      .map((e) => `${e.action} ${e.target} ${e.ok}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        `rollout.start ${rollout.id} true`,
        "rollout.start 2.0.0 false",
        `rollout.pause ${rollout.id} true`,
        `rollout.pause ${rollout.id} false`,
        `rollout.resume ${rollout.id} true`,
        `rollout.abort ${rollout.id} true`,
      ]),
    );
    store.close();
  });

  it("answers 400 with what is wrong: bad JSON, bad fields, a release not in the bucket, unknown gateways", async () => {
    const { store, sent, call } = setup("bad.db");
    const cases: [unknown, RegExp][] = [
      ["{oops", /^the body is not JSON: /],
      [{ target: { percent: 10 } }, /^version: /],
      [{ version: "2.0.0", target: { percent: 0 } }, /^target/],
      [{ version: "2.0.0", target: { gateways: ["gw-a"] }, canary: 0 }, /^canary: /],
      [{ version: "2.0.0", target: { gateways: ["gw-a"] }, soakS: -1 }, /^soakS: /],
      [{ version: "2.0.0", target: { gateways: ["gw-a"] }, extra: 1 }, /body: Unrecognized key/],
      [
        { version: "3.0.0", target: { gateways: ["gw-a"] } },
        /^version: no release 3\.0\.0 in the releases bucket/,
      ],
      [{ version: "2.0.0", target: { gateways: ["gw-x"] } }, /^target\.gateways: unknown gateway gw-x/],
    ];
    for (const [body, error] of cases) {
      const res = await call("POST", "/api/v1/rollouts", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json()).error).toMatch(error);
    }
    expect(sent).toEqual([]);
    expect((await call("GET", "/api/v1/rollouts/nope", undefined, "viewer")).status).toBe(404);
    expect((await call("POST", "/api/v1/rollouts/nope/abort")).status).toBe(404);
    store.close();
  });

  it("carries a running rollout on after a restart: it is read back from SQLite", async () => {
    const first = setup("restart.db");
    const res = await first.call("POST", "/api/v1/rollouts", {
      version: "2.0.0",
      target: { percent: 100 },
      soakS: 1,
    });
    const { rollout } = (await res.json()) as { rollout: Rollout };
    first.store.close();

    const store = openSqliteStore(join(dir, "restart.db"));
    const sent: string[] = [];
    const driver = createRolloutDriver({
      store,
      send: async (gateway) => {
        sent.push(gateway);
        return { ok: true, result: {} };
      },
      offlineAfterMs: 30_000,
      now: () => clock,
    });
    expect(driver.get(rollout.id)?.gateways[0]?.state).toBe("downloading");
    // The canary comes back on 2.0.0 and healthy; after the soak the rest are sent.
    clock += 1000;
    store.saveHeartbeat(
      { ...heartbeat("gw-a", "2.0.0"), upgrade: { state: "healthy", version: "2.0.0", at: clock } },
      clock,
    );
    store.saveHeartbeat(heartbeat("gw-b", "1.0.0"), clock);
    store.saveHeartbeat(heartbeat("gw-c", "1.0.0"), clock);
    await driver.tick();
    clock += 1500;
    store.saveHeartbeat(
      { ...heartbeat("gw-a", "2.0.0"), upgrade: { state: "healthy", version: "2.0.0", at: clock } },
      clock,
    );
    await driver.tick();
    expect(sent).toEqual(["gw-b", "gw-c"]);
    expect(driver.get(rollout.id)?.wavesStarted).toBe(2);
    store.close();
  });
});
