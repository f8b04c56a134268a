import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkRouteRoles, testAuthStore } from "@tidegate/http-kit/testing";
import { afterAll, expect, it } from "vitest";
import { createLiveFeed } from "../live.js";
import { createRolloutDriver } from "../rollouts/driver.js";
import { openSqliteStore } from "../store/sqlite-store.js";
import { createCollectorApp } from "./app.js";

const dir = mkdtempSync(join(tmpdir(), "tidegate-auth-routes-"));
const store = openSqliteStore(join(dir, "c.db"));
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

it("every collector API route declares its role and refuses anonymous callers and the role below", async () => {
  const auth = testAuthStore();
  const app = createCollectorApp({
    store,
    version: "t",
    auth: { store: auth.store },
    live: createLiveFeed(),
    rollouts: createRolloutDriver({
      store,
      send: async () => ({ ok: false, failure: "offline", error: "offline" }),
      offlineAfterMs: 30_000,
    }),
  });
  const { problems, checked } = await checkRouteRoles(app, auth.headers);
  expect(problems).toEqual([]);
  expect(checked).toContain("GET /api/v1/gateways viewer");
  expect(checked).toContain("GET /api/v1/fleet viewer");
  expect(checked).toContain("POST /api/v1/users admin");
  expect(checked).toContain("GET /metrics viewer");
  // The administration pages' routes.
  for (const route of [
    "PATCH /api/v1/users/:name admin",
    "GET /api/v1/users/:name/sessions admin",
    "DELETE /api/v1/users/:name/sessions admin",
    "DELETE /api/v1/users/:name/sessions/:id admin",
    "POST /api/v1/tokens admin",
    "DELETE /api/v1/tokens/:id admin",
    "GET /api/v1/audit admin",
    "GET /api/v1/audit/actions admin",
    "GET /api/v1/audit.csv admin",
  ])
    expect(checked).toContain(route);
  expect(checked).toContain("GET /api/v1/rollouts viewer");
  expect(checked).toContain("POST /api/v1/rollouts admin");
  for (const control of ["pause", "resume", "abort"])
    expect(checked).toContain(`POST /api/v1/rollouts/:id/${control} admin`);
});
