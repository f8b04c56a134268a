import type { RouteGuard } from "@tidegate/http-kit";
import { type DevicePushTarget, devicePushRequestSchema } from "@tidegate/protocol";
import { type Context, Hono } from "hono";
import type { SendCommand } from "../remote/commands.js";
import { pushDevice } from "../remote/device-push.js";
import { COMMAND_STATUS } from "./commands-route.js";

export interface DevicePushRouteOptions {
  send: SendCommand;
  need: RouteGuard;
  actor?: (c: Context) => string | undefined;
  /** Every target's outcome is audit-logged (and a push the source could not give, once). */
  onPush?: (c: Context, target: string, ok: boolean, detail: string) => void;
}

const describe = (from: string, r: DevicePushTarget) =>
  r.outcome === "applied"
    ? `${from} → config version ${r.version}${r.profileSaved ? ", profile saved" : ""}`
    : `${from} → ${r.outcome}: ${r.error}`;

/**
 * `POST /api/v1/devices/push` (admin): `{ from: { gateway, device }, to: [gateway…] }`. Answers 200
 * with every target's outcome once all have answered (or were found offline); 400 for a bad
 * request; the source's failure (404 unknown, 409 offline, 422 refused, 503/504) when the device
 * could not be read from it, in which case nothing was sent.
 */
export function devicePushRoutes(o: DevicePushRouteOptions): Hono {
  const app = new Hono();
  app.post("/api/v1/devices/push", o.need("admin"), async (c) => {
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch (err) {
      return c.json({ error: `the body is not JSON: ${(err as Error).message}` }, 400);
    }
    const req = devicePushRequestSchema.safeParse(body);
    if (!req.success)
      return c.json(
        {
          error: `${req.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ")}; send { from: { gateway, device }, to: [gateway, …] }`,
        },
        400,
      );
    const from = `${req.data.from.gateway}/${req.data.from.device}`;
    const pushed = await pushDevice(o.send, req.data, o.actor?.(c));
    if (!pushed.ok) {
      o.onPush?.(c, req.data.from.gateway, false, `${from}: ${pushed.error}`);
      return c.json({ error: pushed.error, failure: pushed.failure }, COMMAND_STATUS[pushed.failure]);
    }
    for (const r of pushed.answer.results)
      o.onPush?.(c, r.gateway, r.outcome === "applied", describe(from, r));
    return c.json(pushed.answer);
  });
  return app;
}
