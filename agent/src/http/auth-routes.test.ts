import { checkRouteRoles, testAuthStore } from "@tidegate/http-kit/testing";
import { expect, it } from "vitest";
import { createAgentApp } from "./app.js";

it("every agent API route declares its role and refuses anonymous callers and the role below", async () => {
  const auth = testAuthStore();
  const app = createAgentApp(
    {
      gateway: "g",
      version: "t",
      startedAt: 0,
      devices: () => [],
      latest: () => [],
      buffer: () => ({
        backlog: 0,
        pending: 0,
        oldestUnsentTs: null,
        lastSeq: 0,
        lastAckedSeq: 0,
        bytes: 0,
        dropped: {},
        droppedRanges: [],
        alarms: [],
        epoch: 1,
      }),
      uplink: () => ({
        connected: true,
        lastAckSeq: 0,
        batchesSent: 0,
        backfilling: false,
        redialSpreadMs: 0,
        wire: { sends: 2, collector: null },
      }),
    },
    { auth: { store: auth.store }, logger: { level: "info" } },
  );
  const { problems, checked } = await checkRouteRoles(app, auth.headers);
  expect(problems).toEqual([]);
  expect(checked).toContain("GET /api/v1/status viewer");
  expect(checked).toContain("GET /api/v1/audit admin");
  expect(checked).toContain("PUT /api/v1/log-level admin");
  expect(checked).toContain("POST /api/v1/alerts/ack operator");
  expect(checked).toContain("POST /api/v1/commission/profiles operator");
  expect(checked).toContain("GET /api/v1/commission/profiles/:vendor/:model operator");
});
