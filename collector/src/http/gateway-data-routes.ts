import { badRequest, type RouteGuard } from "@tidegate/http-kit";
import type { AlertsAnswer, Catalog, PointEntry } from "@tidegate/protocol";
import { Hono } from "hono";
import { z } from "zod";
import { pointInfo } from "../consumer/catalog.js";
import type { IngestStats } from "../consumer/consumer.js";
import type { SqliteStore } from "../store/sqlite-store.js";
import type { StoreWriter } from "../store/writer/index.js";

const id = z.string().min(1).max(200);
/**
 * What the collector knows of its gateways beyond the fleet list: their alerts, their points with
 * the newest values (named from each gateway's catalog), and the ingest counters.
 */
export function gatewayDataRoutes(
  need: RouteGuard,
  o: {
    store: Pick<SqliteStore, "activeAlerts" | "recentAlerts" | "points">;
    /** Writes the gateway's waiting newest values before they are read, when another connection holds them. */
    writer?: Pick<StoreWriter, "writeLatest">;
    catalog?: (gateway: string) => Promise<Catalog | undefined>;
    ingestStats?: () => IngestStats | undefined;
  },
): Hono {
  const app = new Hono();
  app.get("/api/v1/alerts", need("viewer"), (c) => {
    const gateway = c.req.query("gateway");
    const mine = <T extends { gateway: string }>(rows: T[]) =>
      gateway === undefined ? rows : rows.filter((r) => r.gateway === gateway);
    return c.json({
      active: mine(o.store.activeAlerts()),
      recent: mine(o.store.recentAlerts(200)).slice(0, 100),
    } satisfies AlertsAnswer);
  });

  app.get("/api/v1/ingest", need("viewer"), (c) => c.json(o.ingestStats?.() ?? null));

  /** A gateway's series with their newest good value, named and with units from its catalog. */
  async function pointsOf(gateway: string, device?: string): Promise<PointEntry[]> {
    const info = pointInfo(await o.catalog?.(gateway));
    await o.writer?.writeLatest(gateway);
    return o.store
      .points(gateway)
      .filter((p) => device === undefined || p.device === device)
      .map((p) => ({ ...p, ...info.get(`${p.device}/${p.point}`) }));
  }

  app.get("/api/v1/points", need("viewer"), async (c) => {
    const parsed = z.object({ gateway: id }).safeParse(c.req.query());
    if (!parsed.success) return c.json(badRequest(parsed.error), 400);
    return c.json({ points: await pointsOf(parsed.data.gateway) });
  });

  // The latest value of every point of a gateway (or of one of its devices), for scripts and panels.
  app.get("/api/v1/latest", need("viewer"), async (c) => {
    const parsed = z.object({ gateway: id, device: id.optional() }).safeParse(c.req.query());
    if (!parsed.success) return c.json(badRequest(parsed.error), 400);
    const points = await pointsOf(parsed.data.gateway, parsed.data.device);
    return c.json({
      gateway: parsed.data.gateway,
      latest: points.map((p) => ({
        device: p.device,
        point: p.point,
        ts: p.lastTs,
        value: p.lastValue,
        ...(p.name ? { name: p.name } : {}),
        ...(p.unit ? { unit: p.unit } : {}),
        ...(p.decimals !== undefined ? { decimals: p.decimals } : {}),
      })),
    });
  });

  return app;
}
