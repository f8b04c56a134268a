import type { Auth } from "@tidegate/http-kit";
import { Hono } from "hono";
import { z } from "zod";
import type { History } from "../history/history.js";
import {
  PROBE_REQUEST_HELP,
  ProbeRequestError,
  type ProbeService,
  ProbeTimeoutError,
  probeRequestSchema,
} from "../probe/probe-service.js";
import { type CommissionTools, commissionRoutes } from "./commission-routes.js";
import { type OpcuaEndpointTools, opcuaEndpointRoutes } from "./opcua-endpoint-routes.js";

/** What the local view's trends and the technician page read; each part is optional (tests, older wiring). */
export interface LocalTools extends CommissionTools {
  history?: History;
  probe?: ProbeService;
  /** The running config with its secrets masked. */
  runningConfig?: () => unknown;
  /** An OPC UA device's address space under a node; undefined when the device is not an OPC UA one. */
  opcuaBrowse?: (device: string, node?: string) => Promise<unknown> | undefined;
  /** An OPC UA endpoint not configured yet, browsed from the commissioning page. */
  opcuaEndpoint?: OpcuaEndpointTools;
  /** The OPC UA trust store: server certificates pending and trusted, and trusting one. */
  opcuaCerts?: {
    list(): { fingerprint: string; status: "rejected" | "trusted"; certificate?: object }[];
    trust(fingerprint: string): Promise<{ fingerprint: string; status: string }>;
    /** Moves a trusted certificate back to the pending ones: the next connect to that server is refused. */
    untrust(fingerprint: string): Promise<{ fingerprint: string; status: string }>;
  };
}

const browseQuery = z.object({
  device: z.string().min(1, "device= is required").max(200),
  node: z.string().min(1).max(4096).optional(),
});

const historyQuery = z.object({
  device: z.string().min(1, "device= is required").max(200),
  point: z.string().min(1, "point= is required").max(200),
  range: z.enum(["1h", "24h"], { message: "range= must be 1h or 24h" }).default("1h"),
});

const notWired = (what: string) => ({ error: `${what} is not available in this agent` });

/** The trend history (viewer), the device probe and the running config (operator). */
export function localRoutes(auth: Auth, tools: LocalTools, now: () => number = Date.now): Hono {
  const app = new Hono();
  app.get("/api/v1/history", auth.need("viewer"), (c) => {
    const parsed = historyQuery.safeParse(c.req.query());
    if (!parsed.success)
      return c.json(
        {
          error: `${parsed.error.issues.map((i) => i.message).join("; ")}: e.g. ?device=meter1&point=voltage&range=1h`,
        },
        400,
      );
    if (!tools.history) return c.json(notWired("history"), 404);
    const { device, point, range } = parsed.data;
    const answer = tools.history.query(device, point, range, now());
    if (!answer) {
      const { points } = tools.history.stats();
      const full = points >= tools.history.limits.maxPoints;
      return c.json(
        {
          error: full
            ? `no history of ${device}/${point}: the history keeps at most ${tools.history.limits.maxPoints} points and is full`
            : `no history of ${device}/${point} yet: it keeps numeric points from their first reading on`,
        },
        404,
      );
    }
    return c.json({ device, point, range, ...answer });
  });

  app.get("/api/v1/probe", auth.need("operator"), (c) =>
    tools.probe ? c.json(tools.probe.options()) : c.json(notWired("probe"), 404),
  );

  app.post("/api/v1/probe", auth.need("operator"), async (c) => {
    const parsed = probeRequestSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ error: PROBE_REQUEST_HELP }, 400);
    if (!tools.probe) return c.json(notWired("probe"), 404);
    const req = parsed.data;
    const target = "device" in req ? req.device : `${req.host}:${req.port}`;
    try {
      const answer = await tools.probe.run(req);
      auth.audit(c, "device.probe", {
        target,
        detail: `${answer.profile} unit ${answer.unitId}: ${answer.points.length} points, ${answer.failures.length} failed reads`,
      });
      return c.json(answer);
    } catch (err) {
      const message = (err as Error).message;
      auth.audit(c, "device.probe", { target, detail: message, ok: false });
      if (err instanceof ProbeRequestError) return c.json({ error: message }, 400);
      if (err instanceof ProbeTimeoutError) return c.json({ error: message }, 504);
      return c.json({ error: `probe failed: ${message}` }, 502);
    }
  });

  app.get("/api/v1/opcua/browse", auth.need("operator"), async (c) => {
    const parsed = browseQuery.safeParse(c.req.query());
    if (!parsed.success)
      return c.json(
        { error: `${parsed.error.issues.map((i) => i.message).join("; ")}: e.g. ?device=press-1&node=i=85` },
        400,
      );
    if (!tools.opcuaBrowse) return c.json(notWired("OPC UA browse"), 404);
    const { device, node } = parsed.data;
    const pending = tools.opcuaBrowse(device, node);
    if (!pending) return c.json({ error: `no OPC UA device '${device}' in the running config` }, 404);
    try {
      return c.json({ device, node: node ?? "i=85", nodes: await pending });
    } catch (err) {
      const message = (err as Error).message;
      // A NodeId the operator typed wrong is their error; a server that cannot answer is not.
      return c.json(
        { error: message },
        (err as Error).name === "BrowseError" || /not a NodeId|Bad/.test(message) ? 400 : 503,
      );
    }
  });

  app.get("/api/v1/opcua/certs", auth.need("operator"), (c) => {
    if (!tools.opcuaCerts) return c.json(notWired("OPC UA trust store"), 404);
    return c.json({
      certificates: tools.opcuaCerts.list().map((x) => ({
        ...x.certificate,
        fingerprint: x.fingerprint,
        status: x.status === "rejected" ? "pending" : "trusted",
      })),
    });
  });

  // Trusting a server certificate decides who may stand in for a PLC (and un-trusting who may
  // not any more): admins only, audited.
  for (const verb of ["trust", "untrust"] as const)
    app.post(`/api/v1/opcua/${verb}`, auth.need("admin"), async (c) => {
      const body = z
        .object({ fingerprint: z.string().min(1).max(200) })
        .safeParse(await c.req.json().catch(() => undefined));
      if (!body.success) return c.json({ error: 'expected JSON { "fingerprint": "<hex digits>" }' }, 400);
      if (!tools.opcuaCerts) return c.json(notWired("OPC UA trust store"), 404);
      try {
        const entry = await tools.opcuaCerts[verb](body.data.fingerprint);
        auth.audit(c, `opcua.${verb}`, { target: entry.fingerprint });
        return c.json({ fingerprint: entry.fingerprint, status: verb === "trust" ? "trusted" : "pending" });
      } catch (err) {
        const status = (err as { status?: unknown }).status;
        auth.audit(c, `opcua.${verb}`, {
          target: body.data.fingerprint,
          detail: (err as Error).message,
          ok: false,
        });
        return c.json({ error: (err as Error).message }, status === 400 || status === 404 ? status : 500);
      }
    });

  app.get("/api/v1/config", auth.need("operator"), (c) =>
    tools.runningConfig ? c.json({ config: tools.runningConfig() }) : c.json(notWired("config view"), 404),
  );
  app.route("/", commissionRoutes(auth, tools));
  app.route("/", opcuaEndpointRoutes(auth, tools.opcuaEndpoint));
  return app;
}
