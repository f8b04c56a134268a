import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openAuthStore } from "@tidegate/http-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { heartbeatAt } from "../../../test/helpers/heartbeat.js";
import { openSqliteStore, type SqliteStore } from "../store/sqlite-store.js";
import { createCollectorApp } from "./app.js";

const NOW = 1_700_000_100_000;
let dir: string;
let store: SqliteStore;
let app: ReturnType<typeof createCollectorApp>;

const alert = { rule: "hot", device: "m1", severity: "warning" as const, since: NOW, message: "hot" };

// Twelve gateways: gw-00..gw-11. Even ones in Nord, odd in Süd, gw-10 and gw-11 in no site;
// every third is offline, every fourth alerting, every fifth backlogged.
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-fleet-route-"));
  store = openSqliteStore(join(dir, "c.db"));
  const sites: Record<string, string> = { "gw-99": "Empty" };
  for (let i = 0; i < 12; i++) {
    const id = `gw-${String(i).padStart(2, "0")}`;
    if (i < 10) sites[id] = i % 2 === 0 ? "Nord" : "Süd";
    const at = i % 3 === 0 ? NOW - 120_000 : NOW - 1000;
    store.saveHeartbeat(
      heartbeatAt(id, at, { backlog: i % 5 === 0 ? 100 + i : 0, activeAlerts: i % 4 === 0 ? [alert] : [] }),
      at,
    );
  }
  app = createCollectorApp({
    auth: { store: openAuthStore(":memory:"), anonymousRole: "viewer" },
    store,
    version: "t",
    now: () => NOW,
    offlineAfterMs: 30_000,
    sites,
  });
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

type Page = { gateways: { id: string }[]; total: number; offline: number; offset: number; limit: number };
const get = async (path: string) => {
  const res = await app.request(path);
  return { res, body: (await res.json()) as Page };
};
const ids = (p: Page) => p.gateways.map((g) => g.id);

describe("GET /api/v1/gateways", () => {
  it("answers every gateway in id order without parameters, with the total", async () => {
    const { res, body } = await get("/api/v1/gateways");
    expect(body.total).toBe(12);
    expect(body.gateways).toHaveLength(12);
    expect(ids(body)[0]).toBe("gw-00");
    expect(body.offline).toBe(4);
    expect(res.headers.get("x-total-count")).toBe("12");
  });

  it("pages with limit and offset; offline and total count every match", async () => {
    const { body } = await get("/api/v1/gateways?limit=5&offset=10");
    expect(ids(body)).toEqual(["gw-10", "gw-11"]);
    expect(body).toMatchObject({ total: 12, offline: 4, offset: 10, limit: 5 });
  });

  it("filters by site, status and id substring together", async () => {
    expect(ids((await get("/api/v1/gateways?site=Nord&status=offline")).body)).toEqual(["gw-00", "gw-06"]);
    expect(ids((await get("/api/v1/gateways?status=alerting")).body)).toEqual(["gw-00", "gw-04", "gw-08"]);
    expect(ids((await get("/api/v1/gateways?status=backlogged")).body)).toEqual(["gw-00", "gw-05", "gw-10"]);
    expect(ids((await get("/api/v1/gateways?q=W-1")).body)).toEqual(["gw-10", "gw-11"]);
    const online = await get("/api/v1/gateways?status=online&limit=3");
    expect(online.body).toMatchObject({ total: 8, offline: 0 });
  });

  it("sorts by a column either way, ties in id order", async () => {
    expect(ids((await get("/api/v1/gateways?order=desc&limit=2")).body)).toEqual(["gw-11", "gw-10"]);
    const byBacklog = await get("/api/v1/gateways?sort=backlog&order=desc&limit=3");
    expect(ids(byBacklog.body)).toEqual(["gw-10", "gw-05", "gw-00"]);
    const bySite = await get("/api/v1/gateways?sort=site&limit=6");
    expect(ids(bySite.body)).toEqual(["gw-00", "gw-02", "gw-04", "gw-06", "gw-08", "gw-01"]);
  });

  it("refuses bad parameters with 400 and says which", async () => {
    for (const [query, field] of [
      ["status=sleeping", "status"],
      ["limit=0", "limit"],
      ["limit=1001", "limit"],
      ["limit=ten", "limit"],
      ["offset=-1", "offset"],
      ["sort=colour", "sort"],
      ["order=up", "order"],
    ] as const) {
      const res = await app.request(`/api/v1/gateways?${query}`);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { error: string }).error, query).toContain(field);
    }
  });
});

describe("GET /api/v1/fleet", () => {
  it("counts online, offline, alerting and backlogged overall and by site", async () => {
    const res = await app.request("/api/v1/fleet");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      total: { gateways: 12, online: 8, offline: 4, alerting: 3, backlogged: 3 },
      sites: [
        { site: "Empty", gateways: 0, online: 0, offline: 0, alerting: 0, backlogged: 0 },
        { site: "Nord", gateways: 5, online: 3, offline: 2, alerting: 3, backlogged: 1 },
        { site: "Süd", gateways: 5, online: 3, offline: 2, alerting: 0, backlogged: 1 },
        { site: null, gateways: 2, online: 2, offline: 0, alerting: 0, backlogged: 1 },
      ],
    });
  });
});
