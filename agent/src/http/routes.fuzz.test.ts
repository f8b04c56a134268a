import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testAuthStore } from "@tidegate/http-kit/testing";
import { loadProfiles, type Profile } from "@tidegate/profiles";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unsentReadings } from "../../../test/helpers/buffer-file.js";
import { rowCounts } from "../../../test/helpers/fuzz.js";
import { type FuzzRoute, fuzzRoutes, hashesPasswords, routesOf } from "../../../test/helpers/fuzz-http.js";
import { openBuffer, type ReadingBuffer } from "../buffer/buffer.js";
import { openAlertsStore } from "../rules/alerts-store.js";
import { type AgentView, createAgentApp } from "./app.js";

const NOW = 1_700_000_000_000;
let dir: string;
let buffer: ReadingBuffer;
let alerts: ReturnType<typeof openAlertsStore>;
let app: ReturnType<typeof createAgentApp>;
let auth: ReturnType<typeof testAuthStore>;
let routes: FuzzRoute[];
const files = () => [join(dir, "buffer.db"), join(dir, "alerts.db")];
const counts = () => files().map(rowCounts);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-agent-routes-fuzz-"));
  // The agent's real SQLite files on disk, behind the view the agent builds from them.
  buffer = openBuffer({ path: join(dir, "buffer.db"), now: () => NOW });
  buffer.append([
    { ts: NOW, device: "m1", point: "voltage", value: 230.1, quality: "good" },
    { ts: NOW, device: "m1", point: "current", value: null, quality: "bad", reason: "timeout" },
  ]);
  buffer.flush();
  alerts = openAlertsStore(join(dir, "alerts.db"));
  alerts.record([
    {
      rule: "hv",
      device: "m1",
      point: "voltage",
      severity: "critical",
      state: "raised",
      at: NOW,
      value: 251,
      message: "high",
    },
  ]);
  const meter = loadProfiles().get("eastron/sdm120") as Profile;
  const view: AgentView = {
    gateway: "plant-7",
    version: "fuzz",
    startedAt: NOW - 10_000,
    devices: () => [{ id: "m1", profile: meter, health: { device: "m1", status: "ok", successRate: 1 } }],
    latest: () => unsentReadings(join(dir, "buffer.db"), 0, 10),
    buffer: buffer.stats,
    uplink: () => ({
      connected: false,
      lastAckSeq: 0,
      batchesSent: 0,
      backfilling: false,
      redialSpreadMs: 0,
      wire: { sends: 2, collector: null },
    }),
    alerts: () => ({ active: alerts.active(), recent: alerts.recent(20) }),
    acknowledgeAlert: (rule, device, by) => alerts.acknowledge(rule, device, by),
    inputDrops: () => ({ mqtt: { "not-json": 1 } }),
  };
  auth = testAuthStore();
  app = createAgentApp(view, { auth: { store: auth.store }, logger: { level: "info" } });
  routes = routesOf(app);
});
afterAll(() => {
  buffer.close();
  alerts.close();
  rmSync(dir, { recursive: true, force: true });
});

const bodies = [
  { rule: "hv", device: "m1" },
  { rule: "nope", device: "m1" },
  { level: "debug" },
  { name: "ci", role: "viewer" },
  { role: "operator" },
  { user: "admin", password: "correct horse battery" },
  { name: "fuzzer", role: "viewer", password: "correct horse battery" },
];
const queryKeys = ["limit", "before", "since", "actor", "action", "device", "point"];

const fuzz = (selected: FuzzRoute[], numRuns: number) =>
  fuzzRoutes(app, selected, {
    headers: auth.headers.admin,
    numRuns,
    keys: queryKeys,
    bodies,
    snapshot: counts,
    check: (spec, { status }, before) => {
      // Only a successful acknowledgement stores anything, and only in alerts.db.
      const acked =
        spec.method === "POST" && new URL(spec.url).pathname === "/api/v1/alerts/ack" && status === 200;
      const after = counts();
      expect(after[0]).toEqual(before[0]);
      if (!acked) expect(after[1]).toEqual(before[1]);
    },
  });

describe("agent API (fuzzed)", () => {
  it("enumerates the routes to fuzz", () => {
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        "GET /api/v1/status",
        "POST /api/v1/alerts/ack",
        "PUT /api/v1/log-level",
        "GET /metrics",
      ]),
    );
  });

  it("answers every route's odd queries, params and bodies with < 500 and a JSON error", async () => {
    await fuzz(
      routes.filter((r) => !hashesPasswords(r)),
      400,
    );
  }, 30_000);

  it("answers the password routes the same way (fewer runs: each hashes with scrypt)", async () => {
    await fuzz(routes.filter(hashesPasswords), 15);
  }, 30_000);
});
