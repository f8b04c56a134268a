import { type ApiRateLimits, type AuthStore, type Branding, createServiceApp } from "@tidegate/http-kit";
import { type AnyProfile, pointLabel } from "@tidegate/profiles";
import type {
  AgentStatus,
  InfoAnswer,
  LatestReading,
  Reading,
  SourceHealth,
  SparkplugNorthStatus,
} from "@tidegate/protocol";
import type { Registry } from "prom-client";
import { z } from "zod";
import { agentAlarms } from "../alarms.js";
import { backlogSummary } from "../buffer/backlog.js";
import type { BufferStats } from "../buffer/buffer.js";
import type { TargetStatus } from "../notify/index.js";
import type { ActiveAlert } from "../rules/alerts-store.js";
import type { UplinkStatus } from "../uplink/uplink.js";
import { type LocalTools, localRoutes } from "./local-routes.js";
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
  /** An operator acknowledges an active alert; false when it is not raised now or already acknowledged. */
  acknowledgeAlert?: (rule: string, device: string, by: string) => boolean;
  /** Alert notification targets: queued, delivered, retried, failed, dropped, last error. */
  notifications?: () => TargetStatus[];
  /** Lines and messages dropped by serial and MQTT inputs, by input and reason. */
  inputDrops?: () => Record<string, Record<string, number>>;
  /** The Sparkplug B edge node's state; undefined when it is not configured (or not started yet). */
  sparkplug?: () => SparkplugNorthStatus | undefined;
}

/** What /api/v1/status answers, and the remote `status` command too. */
export function agentStatus(view: AgentView, now = Date.now()): AgentStatus {
  const stats = view.buffer();
  const uplink = view.uplink();
  const sparkplug = view.sparkplug?.();
  return {
    gateway: view.gateway,
    version: view.version,
    uptimeS: Math.round((now - view.startedAt) / 1000),
    uplink,
    ...(sparkplug ? { sparkplug } : {}),
    // committed = stored at the collector + dropped, once the backlog has drained.
    seq: { committed: stats.lastSeq, acked: stats.lastAckedSeq },
    buffer: { ...backlogSummary(stats, now), bytes: stats.bytes },
    alarms: agentAlarms(stats, uplink),
    devices: view.devices().map((d) => ({ ...d.health, id: d.id, profile: d.profile.id })),
    inputs: { dropped: view.inputDrops?.() ?? {} },
    alerts: { ...(view.alerts?.() ?? { active: [], recent: [] }), notify: view.notifications?.() ?? [] },
  };
}

/** The agent's HTTP API and local dashboard. Pure Hono: tests call app.request(); server.ts binds it. */
export function createAgentApp(
  view: AgentView,
  options: {
    /** Users, API tokens and the audit log; `anonymousRole` lets trusted panels read without signing in. */
    auth: { store: AuthStore; anonymousRole?: "viewer" };
    staticDir?: string;
    eventMetrics?: Registry;
    /** The program's logger, whose level admins may change at run time. */
    logger?: { level: string };
    /** Serve the process's own metrics (event-loop lag, GC, heap) on /metrics: the running program sets it. */
    processMetrics?: boolean;
    /** API request limits (http-kit's defaults when absent); false turns them off. */
    rateLimit?: ApiRateLimits | false;
    /** The white-label name, logo, colours and footer the local view shows; default Tidegate's. */
    branding?: Branding;
    /** Trend history, device probe and running config for the local view's technician page. */
    local?: LocalTools;
  },
) {
  const { app, auth, finish } = createServiceApp({
    info: () => ({ role: "agent", gateway: view.gateway, version: view.version }) satisfies InfoAnswer,
    auth: options.auth,
    eventMetrics: options.eventMetrics,
    logger: options.logger,
    branding: options.branding,
    processMetrics: options.processMetrics,
    ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
    // Ready to do its job: keep every reading. A lost uplink is not "not ready" (store-and-forward
    // is the job); an unwritable buffer is.
    readiness: () => {
      const stats = view.buffer();
      const uplink = view.uplink();
      const reasons = stats.alarms.filter((a) => a.code === "buffer-write-failed").map((a) => a.message);
      const notes: string[] = [];
      if (!uplink.connected)
        notes.push(`uplink disconnected; buffering${uplink.lastError ? ` (${uplink.lastError})` : ""}`);
      if (uplink.wire.mismatch) notes.push(uplink.wire.mismatch);
      return { reasons, notes };
    },
  });
  const viewer = auth.need("viewer");

  app.get("/api/v1/status", viewer, (c) => c.json(agentStatus(view)));

  app.get("/api/v1/latest", viewer, (c) => {
    const names = new Map<string, { name: string; unit?: string; decimals?: number }>();
    for (const d of view.devices()) {
      for (const p of d.profile.points) {
        const { writable: _setting, ...label } = pointLabel(p);
        names.set(`${d.id}/${p.id}`, label);
      }
    }
    const readings: LatestReading[] = view
      .latest()
      .map((r) => ({ ...r, ...(names.get(`${r.device}/${r.point}`) ?? { name: r.point }) }))
      .sort((a, b) => a.device.localeCompare(b.device) || a.point.localeCompare(b.point));
    return c.json({ readings });
  });

  const ackBody = z.object({ rule: z.string().min(1).max(200), device: z.string().min(1).max(200) });
  app.post("/api/v1/alerts/ack", auth.need("operator"), async (c) => {
    const parsed = ackBody.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success)
      return c.json({ error: "the body must be JSON: { rule: <rule id>, device: <device id> }" }, 400);
    const { rule, device } = parsed.data;
    const by = c.get("principal")?.name ?? "unknown";
    if (!view.acknowledgeAlert?.(rule, device, by))
      return c.json({ error: `no unacknowledged active alert ${rule} on ${device}` }, 404);
    auth.audit(c, "alert.ack", { target: `${rule}/${device}` });
    return c.json({ ok: true });
  });

  app.route("/", localRoutes(auth, options.local ?? {}));

  return finish({
    metrics: [createAgentMetrics(view)],
    defaultLabels: { gateway: view.gateway },
    staticDir: options.staticDir,
  });
}
