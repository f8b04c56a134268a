import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openAuthStore } from "@tidegate/http-kit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { heartbeatAt } from "../../../test/helpers/heartbeat.js";
import { openSqliteStore, type SqliteStore } from "../store/sqlite-store.js";
import { createCollectorApp } from "./app.js";

/** These tests are about what the routes answer; who may ask is proven in auth-routes.test.ts. */
const anyoneReads = () => ({ store: openAuthStore(":memory:"), anonymousRole: "viewer" as const });

let dir: string;
let store: SqliteStore;
let app: ReturnType<typeof createCollectorApp>;
const NOW = 1_700_000_100_000;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-app-"));
  store = openSqliteStore(join(dir, "c.db"));
  app = createCollectorApp({
    auth: anyoneReads(),
    store,
    version: "9.9.9",
    now: () => NOW,
    offlineAfterMs: 30_000,
  });
  store.insertBatch(
    {
      gateway: "plant-1",
      epoch: 0,
      firstSeq: 1,
      lastSeq: 2,
      readings: [
        { seq: 1, ts: NOW - 2000, device: "m1", point: "voltage", value: 230.5, quality: "good" },
        { seq: 2, ts: NOW - 1000, device: "m1", point: "voltage", value: 231, quality: "good" },
      ],
    },
    NOW - 1000,
  );
  store.insertBatch(
    {
      gateway: "plant-2",
      epoch: 0,
      firstSeq: 1,
      lastSeq: 1,
      readings: [{ seq: 1, ts: 1, device: "d", point: "p", value: 1, quality: "good" }],
    },
    NOW - 60_000,
  );
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("collector API", () => {
  it("GET /api/v1/info says it is the collector", async () => {
    const res = await app.request("/api/v1/info");
    expect(await res.json()).toEqual({ role: "collector", version: "9.9.9" });
  });

  it("GET /healthz is alive; /readyz is ready only while telemetry is consumed", async () => {
    expect(await (await app.request("/healthz")).json()).toEqual({ status: "ok" });
    const notYet = await app.request("/readyz");
    expect(notYet.status).toBe(503);
    expect(await notYet.json()).toEqual({ ready: false, reasons: ["not connected to NATS yet"] });
    const stats = { batches: 0, readings: 0, duplicates: 0, rejected: {}, newerWire: 0, storeErrors: 0 };
    const retrying = createCollectorApp({
      auth: anyoneReads(),
      store,
      version: "9.9.9",
      ingestStats: () => ({ ...stats, consuming: false, lastError: "stream not found" }),
    });
    expect(await (await retrying.request("/readyz")).json()).toEqual({
      ready: false,
      reasons: ["telemetry consumer not running: stream not found; retrying"],
    });
    const consuming = createCollectorApp({
      auth: anyoneReads(),
      store,
      version: "9.9.9",
      ingestStats: () => ({ ...stats, consuming: true }),
    });
    const ok = await consuming.request("/readyz");
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ready: true, reasons: [] });
  });

  it("GET /api/v1/gateways tells sites, first seen, clock offset and the offline count, and filters by site", async () => {
    // The gateway's clock is 12 s ahead.
    store.saveHeartbeat(
      heartbeatAt("plant-1", NOW - 500 + 12_000, { uptimeS: 5, lastSeq: 2, ackedSeq: 2 }),
      NOW - 500,
    );
    const fleet = createCollectorApp({
      auth: anyoneReads(),
      store,
      version: "9.9.9",
      now: () => NOW,
      sites: { "plant-1": "Plant Nord" },
    });
    const body = await (await fleet.request("/api/v1/gateways")).json();
    expect(body.offline).toBe(1);
    expect(body.gateways[0]).toMatchObject({
      id: "plant-1",
      site: "Plant Nord",
      firstSeen: NOW - 1000,
      clockOffsetMs: 12_000,
      clockSkewed: true,
    });
    expect(body.gateways[0].clockJump).toBeUndefined();
    const nord = await (await fleet.request("/api/v1/gateways?site=Plant%20Nord")).json();
    expect(nord.gateways.map((g: { id: string }) => g.id)).toEqual(["plant-1"]);
  });

  it("GET /api/v1/gateways flags a clock jump for a day", async () => {
    const beat = (ts: number, at: number) =>
      store.saveHeartbeat(heartbeatAt("plant-1", ts, { lastSeq: 2, ackedSeq: 2 }), at);
    beat(NOW - 10_000, NOW - 10_000);
    // Five seconds later here, but the gateway's clock says 65 s: it jumped a minute ahead.
    beat(NOW + 55_000, NOW - 5000);
    const jump = { at: NOW - 5000, ms: 60_000 };
    const fleetAt = (t: number) =>
      createCollectorApp({ auth: anyoneReads(), store, version: "9.9.9", now: () => t, offlineAfterMs: 1e9 });
    const gw = async (t: number) =>
      ((await (await fleetAt(t).request("/api/v1/gateways")).json()) as { gateways: { id: string }[] })
        .gateways[0];
    expect(await gw(NOW)).toMatchObject({ id: "plant-1", clockJump: jump });
    expect(await gw(NOW + 23 * 3600_000)).toMatchObject({ clockJump: jump });
    expect(await gw(NOW + 25 * 3600_000)).not.toHaveProperty("clockJump");
  });

  it("GET /api/v1/gateways lists gateways with online state from last seen", async () => {
    const body = await (await app.request("/api/v1/gateways")).json();
    expect(body.gateways.map((g: { id: string; online: boolean }) => [g.id, g.online])).toEqual([
      ["plant-1", true],
      ["plant-2", false],
    ]);
  });

  it("GET /api/v1/series returns timestamps and values as arrays", async () => {
    const res = await app.request(
      `/api/v1/series?gateway=plant-1&device=m1&point=voltage&from=${NOW - 5000}&to=${NOW}`,
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ts: [NOW - 2000, NOW - 1000], values: [230.5, 231] });
  });

  it("GET /api/v1/series defaults to the last hour", async () => {
    const body = await (await app.request("/api/v1/series?gateway=plant-1&device=m1&point=voltage")).json();
    expect(body).toMatchObject({ from: NOW - 3600_000, to: NOW, values: [230.5, 231] });
  });

  it("answers 400 with a message for a bad query", async () => {
    const missing = await app.request("/api/v1/series?gateway=plant-1");
    expect(missing.status).toBe(400);
    expect((await missing.json()).error).toMatch(/give gateway, device and point, or one or more series=/);
    const reversed = await app.request("/api/v1/series?gateway=g&device=d&point=p&from=10&to=5");
    expect(reversed.status).toBe(400);
    expect((await reversed.json()).error).toBe("from: from must not be after to");
    const notNumber = await app.request("/api/v1/series?gateway=g&device=d&point=p&from=yesterday");
    expect(notNumber.status).toBe(400);
    const badStep = await app.request("/api/v1/series?gateway=g&device=d&point=p&step=soon");
    expect((await badStep.json()).error).toMatch(/^step: expected auto, raw, or a duration/);
    const tooFine = await app.request(`/api/v1/series?gateway=g&device=d&point=p&from=0&to=${NOW}&step=1s`);
    expect(tooFine.status).toBe(400);
    expect((await tooFine.json()).error).toMatch(/^step: step 1000 ms would make .* points .* at most 10000/);
    const badKey = await app.request("/api/v1/series?series=plant-1/m1");
    expect((await badKey.json()).error).toMatch(/series\.0: expected "gateway\/device\/point"/);
  });

  it("GET /api/v1/points lists the catalog of a gateway", async () => {
    const body = await (await app.request("/api/v1/points?gateway=plant-1")).json();
    expect(body.points).toEqual([
      { gateway: "plant-1", device: "m1", point: "voltage", lastTs: NOW - 1000, lastValue: 231 },
    ]);
    expect((await app.request("/api/v1/points")).status).toBe(400);
  });

  it("GET /api/v1/latest gives the newest value per point, with names and units from the catalog", async () => {
    const withCatalog = createCollectorApp({
      auth: anyoneReads(),
      store,
      version: "t",
      now: () => NOW,
      catalog: async (gateway) =>
        gateway === "plant-1"
          ? {
              v: 1,
              gateway,
              at: NOW,
              devices: [
                {
                  id: "m1",
                  profile: "eastron/sdm120",
                  points: [{ id: "voltage", name: "Voltage", unit: "V" }],
                },
              ],
            }
          : undefined,
    });
    expect(await (await withCatalog.request("/api/v1/latest?gateway=plant-1&device=m1")).json()).toEqual({
      gateway: "plant-1",
      latest: [{ device: "m1", point: "voltage", ts: NOW - 1000, value: 231, name: "Voltage", unit: "V" }],
    });
    expect(
      (await (await withCatalog.request("/api/v1/latest?gateway=plant-1&device=none")).json()).latest,
    ).toEqual([]);
    const bad = await withCatalog.request("/api/v1/latest");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^gateway: /);
  });

  it("GET /metrics exposes completeness and last seen per gateway", async () => {
    const text = await (await app.request("/metrics")).text();
    expect(text).toContain('tidegate_gateway_missing_readings{gateway="plant-1"} 0');
    expect(text).toContain(`tidegate_gateway_last_seen_seconds{gateway="plant-2"} ${(NOW - 60_000) / 1000}`);
  });

  it("sends security headers and no CORS headers", async () => {
    const res = await app.request("/api/v1/info", { headers: { Origin: "https://evil.example" } });
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("unknown API paths answer 404 with JSON", async () => {
    const res = await app.request("/api/v1/nope");
    expect(res.status).toBe(404);
    expect((await res.json()).error).toMatch(/no such endpoint/);
  });
});
