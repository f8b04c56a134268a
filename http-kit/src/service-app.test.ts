import { Counter, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { testAuthStore } from "./auth/testing.js";
import { createServiceApp, type Readiness } from "./service-app.js";

function service(readiness: Readiness, extra: { processMetrics?: boolean } = {}) {
  const auth = testAuthStore();
  const {
    app,
    auth: guard,
    finish,
  } = createServiceApp({
    info: () => ({ role: "test", version: "1.2.3" }),
    auth: { store: auth.store },
    readiness: () => readiness,
    ...extra,
  });
  app.get("/api/v1/thing", guard.need("viewer"), (c) => c.json({ thing: 1 }));
  const registry = new Registry();
  new Counter({ name: "things_total", help: "things", registers: [registry] }).inc(3);
  return { app: finish({ metrics: [registry], defaultLabels: { gateway: "gw-1" } }), headers: auth.headers };
}

describe("the service app", () => {
  it("answers info and healthz to anyone, and readyz with its reasons and notes", async () => {
    const { app } = service({ reasons: [], notes: ["uplink disconnected; buffering"] });
    expect(await (await app.request("/api/v1/info")).json()).toEqual({ role: "test", version: "1.2.3" });
    expect((await app.request("/healthz")).status).toBe(200);
    const ready = await app.request("/readyz");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      ready: true,
      reasons: [],
      notes: ["uplink disconnected; buffering"],
    });
    const down = await service({ reasons: ["buffer not writable"] }).app.request("/readyz");
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ ready: false, reasons: ["buffer not writable"] });
  });

  it("closes the program's routes and /metrics to anonymous callers, and serves them to their role", async () => {
    const { app, headers } = service({ reasons: [] });
    expect((await app.request("/api/v1/thing")).status).toBe(401);
    expect((await app.request("/metrics")).status).toBe(401);
    expect(await (await app.request("/api/v1/thing", { headers: headers.viewer })).json()).toEqual({
      thing: 1,
    });
    const metrics = await (await app.request("/metrics", { headers: headers.viewer })).text();
    expect(metrics).toContain('things_total{gateway="gw-1"} 3');
    expect(metrics).toContain("http_request");
  });

  it("answers an unknown API path with a JSON 404 after the program's routes", async () => {
    const { app, headers } = service({ reasons: [] });
    const res = await app.request("/api/v1/nothing", { headers: headers.viewer });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "no such endpoint: GET /api/v1/nothing" });
  });

  it("serves the process's event-loop lag and GC metrics when the running program asks, labelled like the rest", async () => {
    const { app, headers } = service({ reasons: [] }, { processMetrics: true });
    const metrics = await (await app.request("/metrics", { headers: headers.viewer })).text();
    expect(metrics).toMatch(/^nodejs_eventloop_lag_p99_seconds\{gateway="gw-1"\} \d/m);
    expect(metrics).toContain("process_resident_memory_bytes");
    const bare = service({ reasons: [] });
    const plain = await bare.app.request("/metrics", { headers: bare.headers.viewer });
    expect(plain.status).toBe(200);
    expect(await plain.text()).not.toContain("nodejs_eventloop_lag");
  });
});
