import { badRequest, type RouteGuard } from "@tidegate/http-kit";
import type { GatewaysAnswer } from "@tidegate/protocol";
import { Hono } from "hono";
import type { SqliteStore } from "../store/sqlite-store.js";
import {
  type FleetContext,
  fleetSummary,
  gatewayEntry,
  gatewaysQuerySchema,
  selectGateways,
} from "./fleet.js";

/**
 * The fleet view's routes: GET /api/v1/gateways (filtered, sorted, paged) and GET /api/v1/fleet
 * (status counts overall and by site). `/api/v1/gateways` keeps its shape (`gateways`, `offline`
 * over every match) and adds `total`, `offset` and `limit`; without `limit` a page holds up to
 * 1 000 gateways, so callers that never page still get the whole fleet.
 */
export function fleetRoutes(need: RouteGuard, o: { store: SqliteStore; context: () => FleetContext }): Hono {
  const app = new Hono();
  const entries = (ctx: FleetContext) => o.store.gateways().map((g) => gatewayEntry(g, ctx));

  app.get("/api/v1/gateways", need("viewer"), (c) => {
    const parsed = gatewaysQuerySchema.safeParse(c.req.query());
    if (!parsed.success) return c.json(badRequest(parsed.error), 400);
    const q = parsed.data;
    const { matched, page } = selectGateways(entries(o.context()), q);
    const offline = matched.filter((g) => !g.online).length;
    c.header("X-Total-Count", String(matched.length));
    const answer: GatewaysAnswer = {
      gateways: page,
      offline,
      total: matched.length,
      offset: q.offset,
      limit: q.limit,
    };
    return c.json(answer);
  });

  app.get("/api/v1/fleet", need("viewer"), (c) => {
    const ctx = o.context();
    return c.json(fleetSummary(entries(ctx), ctx.sites));
  });
  return app;
}
