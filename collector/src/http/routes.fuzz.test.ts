import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testAuthStore } from "@tidegate/http-kit/testing";
import type { SequencedReading } from "@tidegate/protocol";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowCounts } from "../../../test/helpers/fuzz.js";
import {
  checkAnswer,
  type FuzzRoute,
  fuzzRoutes,
  hashesPasswords,
  routesOf,
} from "../../../test/helpers/fuzz-http.js";
import { createLiveFeed } from "../live.js";
import { createCommandSender } from "../remote/commands.js";
import { MAX_POINTS } from "../store/series-query.js";
import { openSqliteStore, type SqliteStore } from "../store/sqlite-store.js";
import { createCollectorApp } from "./app.js";

const NOW = 1_700_000_000_000;
let dir: string;
let file: string;
let store: SqliteStore;
let app: ReturnType<typeof createCollectorApp>;
let auth: ReturnType<typeof testAuthStore>;
let routes: FuzzRoute[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-routes-fuzz-"));
  file = join(dir, "collector.db");
  store = openSqliteStore(file);
  // More readings than a raw chart takes, so series queries also go through buckets and rollups.
  const readings: SequencedReading[] = Array.from({ length: 2000 }, (_, i) => ({
    seq: i + 1,
    ts: NOW - 2000 * 1000 + i * 1000,
    device: "m1",
    point: "voltage",
    value: i % 50 === 0 ? null : 230 + (i % 7),
    quality: i % 50 === 0 ? "bad" : "good",
    ...(i % 50 === 0 ? { reason: "timeout" } : {}),
  }));
  store.insertBatch({ gateway: "plant-1", epoch: 1, firstSeq: 1, lastSeq: 2000, readings }, NOW);
  store.insertBatch(
    {
      gateway: "plant-2",
      epoch: 0,
      firstSeq: 1,
      lastSeq: 1,
      readings: [{ seq: 1, ts: NOW - 5000, device: "d", point: "flag", value: true, quality: "good" }],
    },
    NOW - 120_000,
  );
  // A read moves a gateway's head into chunks and rollups (the same readings, other rows): moved
  // here, so the row counts below tell whether a request stored anything.
  store.settleAll();
  store.insertAlert({
    v: 1,
    gateway: "plant-1",
    rule: "hv",
    device: "m1",
    point: "voltage",
    severity: "critical",
    state: "raised",
    at: NOW - 1000,
    value: 251,
    message: "high",
  });
  auth = testAuthStore();
  const now = () => NOW;
  app = createCollectorApp({
    store,
    auth: { store: auth.store },
    version: "fuzz",
    now,
    live: createLiveFeed(),
    logger: { level: "info" },
    ingestStats: () => ({
      batches: 1,
      readings: 1,
      duplicates: 0,
      rejected: {},
      newerWire: 0,
      storeErrors: 0,
      consuming: true,
    }),
    // Real sender without NATS: every gateway here is offline or unknown, so nothing is ever sent.
    commands: createCommandSender({
      connection: () => undefined,
      gateways: () => store.gateways(),
      offlineAfterMs: 1,
      now: () => NOW + 60_000,
    }),
  });
  routes = routesOf(app);
});
afterAll(() => {
  store.close();
  auth.store.close?.();
  rmSync(dir, { recursive: true, force: true });
});

const seriesKeys = [
  "plant-1/m1/voltage",
  "plant-2/d/flag",
  "plant-1/m1/nope",
  "a/b",
  "a/b/c/d",
  "/m1/voltage",
];
const queryKeys = [
  "gateway",
  "device",
  "point",
  "series",
  "from",
  "to",
  "step",
  "agg",
  "site",
  "limit",
  "before",
  "since",
  "actor",
  "action",
];
const queryValues = fc.oneof(
  fc.constantFrom(
    ...seriesKeys,
    "plant-1",
    "m1",
    "voltage",
    "avg",
    "min",
    "max",
    "last",
    "minmax",
    "auto",
    "raw",
  ),
  fc.constantFrom(0, NOW - 3_600_000, NOW, NOW + 1, 2 ** 53 - 1, -1).map(String),
);
const bodies = [
  { user: "admin", password: "correct horse battery" },
  { name: "fuzzer", role: "viewer", password: "correct horse battery" },
  { role: "operator" },
  { name: "ci", role: "viewer" },
  { level: "debug" },
  { device: "m1", point: "voltage", value: 1 },
  { config: "version: 1\n", timeoutMs: 5000 },
  { version: 1 },
  { lines: 10 },
];

const fuzz = (selected: FuzzRoute[], numRuns: number) =>
  fuzzRoutes(app, selected, {
    headers: auth.headers.admin,
    numRuns,
    keys: queryKeys,
    values: queryValues,
    bodies,
    snapshot: () => rowCounts(file),
    check: (spec, { status, body }, before) => {
      // Nothing a client sends is stored with the readings: only agents write there, over NATS.
      expect(rowCounts(file)).toEqual(before);
      if (new URL(spec.url).pathname === "/api/v1/series" && status === 200)
        expect((body as { ts: number[] }).ts.length).toBeLessThanOrEqual(MAX_POINTS);
    },
  });

describe("collector API (fuzzed)", () => {
  it("enumerates the routes to fuzz", () => {
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        "GET /api/v1/series",
        "GET /api/v1/live",
        "POST /api/v1/gateways/:id/commands/write",
        "GET /api/v1/audit",
      ]),
    );
  });

  it("answers every route's odd queries, params and bodies with < 500 and a JSON error", async () => {
    await fuzz(
      routes.filter((r) => !hashesPasswords(r)),
      500,
    );
  }, 30_000);

  it("answers the chart routes' odd ranges, steps and series", async () => {
    await fuzz(
      routes.filter((r) => r.path.startsWith("/api/v1/series")),
      150,
    );
  }, 30_000);

  it("keeps any chart range, step and aggregate to a bounded answer", async () => {
    // Starts lean early and ends lean late: the long ranges are where charts have blown up.
    const from = fc.oneof(fc.constantFrom(0, 1, NOW - 3_600_000, NOW), fc.nat({ max: 2 ** 53 - 1 }));
    const to = fc.oneof(
      fc.constantFrom(NOW, 8.64e15, 8.64e15 + 1, 2 ** 53 - 1),
      fc.nat({ max: 2 ** 53 - 1 }),
      fc.integer({ min: NOW - 30 * 86_400_000, max: NOW + 86_400_000 }),
    );
    const query = fc.record(
      {
        series: fc.array(fc.constantFrom(...seriesKeys), { minLength: 1, maxLength: 3 }),
        from,
        to,
        step: fc.oneof(
          fc.constantFrom(
            "auto",
            "raw",
            "1s",
            "1m",
            "1h",
            "1d",
            "7d",
            "0s",
            "999999999d",
            `${"9".repeat(400)}d`,
          ),
          fc.nat().map((n) => `${n}s`),
        ),
        agg: fc.constantFrom("avg", "min", "max", "last", "minmax", "sum"),
      },
      { requiredKeys: ["series"] },
    );
    await fc.assert(
      fc.asyncProperty(query, fc.constantFrom("/api/v1/series", "/api/v1/series.csv"), async (q, path) => {
        const params = new URLSearchParams(q.series.map((k) => ["series", k]));
        for (const key of ["from", "to", "step", "agg"] as const)
          if (q[key] !== undefined) params.set(key, String(q[key]));
        const { status, body } = await checkAnswer(
          app,
          { method: "GET", url: `http://fuzz.test${path}?${params}` },
          auth.headers.viewer,
        );
        if (status !== 200) return;
        const rows = path.endsWith(".csv")
          ? (body as string).split("\n").length - 2
          : (body as { ts: number[] }).ts.length;
        expect(rows).toBeLessThanOrEqual(MAX_POINTS);
      }),
      { numRuns: 300 },
    );
  }, 30_000);

  it("answers the password routes the same way (fewer runs: each hashes with scrypt)", async () => {
    await fuzz(routes.filter(hashesPasswords), 15);
  }, 30_000);
});
