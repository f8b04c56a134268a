import type { RouteGuard } from "@tidegate/http-kit";
import { type RolloutsAnswer, rolloutRequestSchema } from "@tidegate/protocol";
import { type Context, Hono } from "hono";
import type { DriverAnswer, RolloutDriver } from "../rollouts/driver.js";
import type { RolloutControl } from "../rollouts/machine.js";

export interface RolloutRouteOptions {
  driver: Pick<RolloutDriver, "list" | "get" | "create" | "control">;
  /** Whether the releases bucket holds a version; a rollout of one it lacks is refused up front. */
  releaseExists?: (version: string) => Promise<boolean>;
  actor?: (c: Context) => string | undefined;
  /** Every change is audit-logged, refused ones too. */
  onAction?: (c: Context, action: string, target: string, ok: boolean, detail: string) => void;
}

const issue = (e: { issues: { path: PropertyKey[]; message: string }[] }) =>
  e.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");

/**
 * Staged rollouts of agent releases: `GET /api/v1/rollouts` (newest first) and
 * `GET /api/v1/rollouts/:id` for viewers; starting one and `pause`, `resume`, `abort` for admins,
 * the role that uploads releases and sends agent.upgrade.
 */
export function rolloutRoutes(need: RouteGuard, o: RolloutRouteOptions): Hono {
  const app = new Hono();
  const answer = (c: Context, action: string, target: string, a: DriverAnswer, created = false) => {
    o.onAction?.(c, action, a.ok ? a.rollout.id : target, a.ok, a.ok ? a.rollout.state : a.error);
    if (!a.ok) return c.json({ error: a.error }, a.status);
    return c.json({ rollout: a.rollout }, created ? 201 : 200);
  };

  app.get("/api/v1/rollouts", need("viewer"), (c) =>
    c.json({ rollouts: o.driver.list() } satisfies RolloutsAnswer),
  );
  app.get("/api/v1/rollouts/:id", need("viewer"), (c) => {
    const r = o.driver.get(c.req.param("id"));
    return r ? c.json({ rollout: r }) : c.json({ error: `no rollout ${c.req.param("id")}` }, 404);
  });

  app.post("/api/v1/rollouts", need("admin"), async (c) => {
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch (err) {
      return c.json({ error: `the body is not JSON: ${(err as Error).message}` }, 400);
    }
    const req = rolloutRequestSchema.safeParse(body);
    if (!req.success) {
      const error = issue(req.error);
      o.onAction?.(c, "rollout.start", "?", false, error);
      return c.json({ error }, 400);
    }
    let exists = true;
    try {
      exists = (await o.releaseExists?.(req.data.version)) ?? true;
    } catch (err) {
      return c.json({ error: `the releases bucket cannot be read: ${(err as Error).message}` }, 503);
    }
    if (!exists) {
      const error = `version: no release ${req.data.version} in the releases bucket; upload it first (POST /api/v1/releases)`;
      o.onAction?.(c, "rollout.start", req.data.version, false, error);
      return c.json({ error }, 400);
    }
    return answer(c, "rollout.start", req.data.version, await o.driver.create(req.data, o.actor?.(c)), true);
  });

  for (const control of ["pause", "resume", "abort"] as const satisfies RolloutControl[])
    app.post(`/api/v1/rollouts/:id/${control}`, need("admin"), async (c) => {
      const id = c.req.param("id");
      return answer(c, `rollout.${control}`, id, await o.driver.control(id, control, o.actor?.(c)));
    });
  return app;
}
