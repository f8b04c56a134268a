import { mountDashboard, useHttpMetrics, useSecurityHeaders } from "@tidegate/dashboard/server";
import type { AnyProfile } from "@tidegate/profiles";
import type { Reading, SourceHealth } from "@tidegate/protocol";
import { Hono } from "hono";
import { Registry } from "prom-client";
import { agentAlarms } from "../alarms.js";
import { backlogSummary } from "../buffer/backlog.js";
import type { BufferStats } from "../buffer/buffer.js";
import type { ActiveAlert } from "../rules/alerts-store.js";
import type { UplinkStatus } from "../uplink/uplink.js";
import { createAgentMetrics } from "./metrics.js";

export interface AgentView {
  gateway: string;
  version: string;
  startedAt: number;
  devices: () => { id: string; profile: AnyProfile; health: SourceHealth & { lastPollTs?: number } }[];
  latest: () => Reading[];
  buffer: () => BufferStats;
  uplink: () => UplinkStatus;
  /** Alerts from the edge rules: active ones, and the latest events. */
  alerts?: () => { active: ActiveAlert[]; recent: unknown[] };
  /** Lines and messages dropped by serial and MQTT inputs, by input and reason. */
  inputDrops?: () => Record<string, Record<string, number>>;
}

/** The agent's HTTP API and local dashboard. Pure Hono: tests call app.request(); server.ts binds it. */
export function createAgentApp(
  view: AgentView,
  options: { staticDir?: string; eventMetrics?: Registry } = {},
) {
  const app = new Hono();
  useSecurityHeaders(app);
  const events = options.eventMetrics ?? new Registry();
  useHttpMetrics(app, events);

  app.get("/api/v1/info", (c) => c.json({ role: "agent", gateway: view.gateway, version: view.version }));

  // For supervisors: alive, and ready to do its job — keep every reading. A lost uplink is not
  // "not ready" (store-and-forward is the job); an unwritable buffer is.
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", (c) => {
    const stats = view.buffer();
    const uplink = view.uplink();
    const reasons = stats.alarms.filter((a) => a.code === "buffer-write-failed").map((a) => a.message);
    const notes: string[] = [];
    if (!uplink.connected)
      notes.push(`uplink disconnected; buffering${uplink.lastError ? ` (${uplink.lastError})` : ""}`);
    if (uplink.wire.mismatch) notes.push(uplink.wire.mismatch);
    return c.json({ ready: reasons.length === 0, reasons, notes }, reasons.length === 0 ? 200 : 503);
  });

  app.get("/api/v1/status", (c) => {
    const stats = view.buffer();
    const uplink = view.uplink();
    const now = Date.now();
    return c.json({
      gateway: view.gateway,
      version: view.version,
      uptimeS: Math.round((now - view.startedAt) / 1000),
      uplink,
      // committed = stored at the collector + dropped, once the backlog has drained.
      seq: { committed: stats.lastSeq, acked: stats.lastAckedSeq },
      buffer: { ...backlogSummary(stats, now), bytes: stats.bytes },
      alarms: agentAlarms(stats, uplink),
      devices: view.devices().map((d) => ({ ...d.health, id: d.id, profile: d.profile.id })),
      inputs: { dropped: view.inputDrops?.() ?? {} },
      alerts: view.alerts?.() ?? { active: [], recent: [] },
    });
  });

  app.get("/api/v1/latest", (c) => {
    const names = new Map<string, { name: string; unit?: string }>();
    for (const d of view.devices()) {
      for (const p of d.profile.points)
        names.set(`${d.id}/${p.id}`, p.unit ? { name: p.name, unit: p.unit } : { name: p.name });
    }
    const readings = view
      .latest()
      .map((r) => ({ ...r, ...(names.get(`${r.device}/${r.point}`) ?? { name: r.point }) }))
      .sort((a, b) => a.device.localeCompare(b.device) || a.point.localeCompare(b.point));
    return c.json({ readings });
  });

  const metrics = Registry.merge([createAgentMetrics(view), events]);
  // merge() keeps the metrics, not the registries' default labels.
  metrics.setDefaultLabels({ gateway: view.gateway });
  app.get("/metrics", async (c) =>
    c.text(await metrics.metrics(), 200, { "Content-Type": metrics.contentType }),
  );

  app.all("/api/*", (c) => c.json({ error: `no such endpoint: ${c.req.method} ${c.req.path}` }, 404));

  mountDashboard(app, options.staticDir);
  return app;
}
