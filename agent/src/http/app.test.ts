import { openAuthStore } from "@tidegate/http-kit";
import { testAuthStore } from "@tidegate/http-kit/testing";
import { loadProfiles, type Profile } from "@tidegate/profiles";
import { describe, expect, it } from "vitest";
import { type AgentView, createAgentApp } from "./app.js";

const meter = loadProfiles().get("eastron/sdm120") as Profile;
const now = Date.now();

const view: AgentView = {
  gateway: "plant-7",
  version: "1.2.3",
  startedAt: now - 10_000,
  devices: () => [
    {
      id: "m1",
      profile: meter,
      health: { device: "m1", status: "degraded", successRate: 0.5, lastError: "timeout after 1000 ms" },
    },
  ],
  latest: () => [
    { ts: now, device: "m1", point: "voltage", value: 230.1, quality: "good" },
    { ts: now, device: "m1", point: "current", value: null, quality: "bad", reason: "timeout after 1000 ms" },
  ],
  buffer: () => ({
    backlog: 40,
    pending: 2,
    oldestUnsentTs: now - 5000,
    lastSeq: 99,
    lastAckedSeq: 57,
    bytes: 4096,
    dropped: { "buffer-full": 2 },
    droppedRanges: [[10, 11]],
    alarms: [{ code: "buffer-write-failed", message: "cannot write the buffer (disk full)", since: now }],
    epoch: 7,
  }),
  uplink: () => ({
    connected: false,
    lastError: "disconnected from NATS; reconnecting",
    lastAckSeq: 57,
    batchesSent: 3,
    backfilling: false,
    redialSpreadMs: 0,
    wire: { sends: 2, collector: { min: 1, max: 2, version: "0.1.0" } },
  }),
  sparkplug: () => ({
    connected: true,
    bdSeq: 3,
    messages: 12,
    bytes: 3400,
    historyQueued: 0,
    historyDropped: 5,
    commandsDropped: 0,
    writes: 1,
    writesRefused: 2,
  }),
  inputDrops: () => ({ "gps-1": { "checksum-mismatch": 2 }, mqtt: { "not-json": 1 } }),
  notifications: () => [
    {
      name: "webhook:hooks.example/alert",
      type: "webhook",
      queued: 1,
      counts: { delivered: 4, retried: 2, failed: 1, dropped: 0 },
      lastError: { at: now, message: "POST https://hooks.example/alert: HTTP 503" },
    },
  ],
};
// What the routes answer; who may ask is proven in auth-routes.test.ts.
const app = createAgentApp(view, { auth: { store: openAuthStore(":memory:"), anonymousRole: "viewer" } });

describe("agent API", () => {
  it("GET /api/v1/info names the gateway", async () => {
    expect(await (await app.request("/api/v1/info")).json()).toEqual({
      role: "agent",
      gateway: "plant-7",
      version: "1.2.3",
    });
  });

  it("GET /api/v1/status reports uplink, buffer and device health", async () => {
    const body = await (await app.request("/api/v1/status")).json();
    expect(body).toMatchObject({
      gateway: "plant-7",
      uplink: { connected: false, lastError: "disconnected from NATS; reconnecting" },
      seq: { committed: 99, acked: 57 },
      buffer: { backlog: 42, lastSeq: 99, dropped: { "buffer-full": 2 }, droppedRanges: [[10, 11]] },
      alarms: [{ code: "buffer-write-failed", message: "cannot write the buffer (disk full)" }],
      devices: [
        { id: "m1", profile: "eastron/sdm120", status: "degraded", lastError: "timeout after 1000 ms" },
      ],
    });
    expect(body.alerts.notify).toEqual([
      expect.objectContaining({
        name: "webhook:hooks.example/alert",
        queued: 1,
        lastError: expect.any(Object),
      }),
    ]);
    expect(body.buffer.oldestUnsentAgeMs).toBeGreaterThanOrEqual(5000);
    expect(body.uptimeS).toBeGreaterThanOrEqual(10);
  });

  it("GET /api/v1/latest adds names and units from the profile and keeps bad readings' reasons", async () => {
    const body = await (await app.request("/api/v1/latest")).json();
    expect(body.readings).toEqual([
      {
        ts: now,
        device: "m1",
        point: "current",
        value: null,
        quality: "bad",
        reason: "timeout after 1000 ms",
        name: "Current",
        unit: "A",
      },
      { ts: now, device: "m1", point: "voltage", value: 230.1, quality: "good", name: "Voltage", unit: "V" },
    ]);
  });

  it("GET /metrics exposes backlog, completeness, drops and alarms for Prometheus", async () => {
    const res = await app.request("/metrics");
    expect(res.headers.get("content-type")).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toContain('tidegate_buffer_backlog_readings{gateway="plant-7"} 42');
    expect(text).toContain('tidegate_seq_committed{gateway="plant-7"} 99');
    expect(text).toContain('tidegate_seq_acked{gateway="plant-7"} 57');
    expect(text).toContain('tidegate_dropped_readings{reason="buffer-full",gateway="plant-7"} 2');
    expect(text).toContain('tidegate_alarm{code="buffer-write-failed",gateway="plant-7"} 1');
    expect(text).toContain('tidegate_uplink_connected{gateway="plant-7"} 0');
    expect(text).toContain('tidegate_device_success_ratio{device="m1",gateway="plant-7"} 0.5');
    expect(text).toContain(
      'tidegate_input_dropped{input="gps-1",reason="checksum-mismatch",gateway="plant-7"} 2',
    );
    expect(text).toContain('tidegate_input_dropped{input="mqtt",reason="not-json",gateway="plant-7"} 1');
    expect(text).toContain('tidegate_sparkplug_connected{gateway="plant-7"} 1');
    expect(text).toContain('tidegate_sparkplug_history_readings{state="dropped",gateway="plant-7"} 5');
    expect(text).toContain('tidegate_sparkplug_dcmd_writes{outcome="refused",gateway="plant-7"} 2');
    expect(text).toContain("# TYPE tidegate_alert_notifications_total counter");
    expect(text).toContain(
      'tidegate_alert_notifications_total{target="webhook:hooks.example/alert",outcome="retried",gateway="plant-7"} 2',
    );
    // Requests are timed by route: this scrape's own is counted from the next one on.
    await app.request("/api/v1/status");
    expect(await (await app.request("/metrics")).text()).toMatch(
      /tidegate_http_request_duration_seconds_count\{[^}]*route="\/api\/v1\/status",status="200"\} [1-9]/,
    );
  });

  it("GET /healthz says it is alive; /readyz is not ready while the buffer cannot be written, and says why", async () => {
    expect(await (await app.request("/healthz")).json()).toEqual({ status: "ok" });
    const res = await app.request("/readyz");
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      ready: false,
      reasons: ["cannot write the buffer (disk full)"],
      notes: ["uplink disconnected; buffering (disconnected from NATS; reconnecting)"],
    });
  });

  it("sends security headers", async () => {
    const res = await app.request("/api/v1/status");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("content-security-policy")).toMatch(/script-src 'self'/);
  });

  it("unknown API paths answer 404 with JSON", async () => {
    const res = await app.request("/api/v1/nothing");
    expect(res.status).toBe(404);
    expect((await res.json()).error).toBe("no such endpoint: GET /api/v1/nothing");
  });
});

describe("acknowledging alerts", () => {
  it("needs an operator, a JSON body naming the alert, and an alert to acknowledge", async () => {
    const acked: string[] = [];
    const { store, headers } = testAuthStore();
    const ackApp = createAgentApp(
      {
        ...view,
        acknowledgeAlert: (rule, device, by) => {
          acked.push(`${rule}/${device}/${by}`);
          return device === "m1";
        },
      },
      { auth: { store } },
    );
    const post = (body: string, who: Record<string, string>) =>
      ackApp.request("/api/v1/alerts/ack", {
        method: "POST",
        headers: { ...who, "content-type": "application/json" },
        body,
      });
    expect((await post(JSON.stringify({ rule: "r", device: "m1" }), headers.viewer)).status).toBe(403);
    expect((await post("{bad", headers.operator)).status).toBe(400);
    expect((await post(JSON.stringify({ rule: "r", device: "m9" }), headers.operator)).status).toBe(404);
    expect((await post(JSON.stringify({ rule: "r", device: "m1" }), headers.operator)).status).toBe(200);
    expect(acked).toEqual(["r/m9/token:test operator", "r/m1/token:test operator"]);
    expect(store.auditLog({ action: "alert.ack" }).map((e) => [e.actor, e.target])).toEqual([
      ["token:test operator", "r/m1"],
    ]);
  });
});
