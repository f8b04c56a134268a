import { createHash } from "node:crypto";
import type { RouteGuard } from "@tidegate/http-kit";
import { COMMAND_VERBS, type CommandVerb, gatewayIdSchema, parseCommandArgs } from "@tidegate/protocol";
import { type Context, Hono } from "hono";
import type { CommandFailure, SendCommand } from "../remote/commands.js";

export type CommandRole = "viewer" | "operator" | "admin";

/** Reading is for viewers; anything that changes a gateway or a device needs an operator. */
export const COMMAND_ROLES: Record<CommandVerb, CommandRole> = {
  status: "viewer",
  "config.get": "viewer",
  "config.history": "viewer",
  "logs.tail": "viewer",
  write: "operator",
  "config.apply": "operator",
  "config.rollback": "operator",
  "source.restart": "operator",
  "alert.ack": "operator",
  // Replaces the software a gateway runs: the same role that uploads releases.
  "agent.upgrade": "admin",
  // A device's definition, as config.get shows it.
  "device.export": "viewer",
  // Adds a device (and maybe a profile) pushed from another gateway: central staff only.
  "device.add": "admin",
};

/** One command as the audit log records it. */
export interface CommandEvent {
  gateway: string;
  verb: CommandVerb;
  /** The arguments; a config.apply's config is replaced by its hash and size (it may hold secrets). */
  args: unknown;
  actor?: string;
  ok: boolean;
  error?: string;
}

export interface CommandRouteOptions {
  send: SendCommand;
  /** The middleware that admits a role or refuses the request (the auth module's `need`). */
  need: RouteGuard;
  /** Who is asking, passed to the agent for its config history. */
  actor?: (c: Context) => string | undefined;
  onCommand?: (event: CommandEvent, c: Context) => void;
}

export const COMMAND_STATUS: Record<CommandFailure, 404 | 409 | 422 | 502 | 503 | 504> = {
  "unknown-gateway": 404,
  offline: 409,
  "not-listening": 409,
  refused: 422,
  "bad-reply": 502,
  "no-nats": 503,
  timeout: 504,
};

const digest = (text: string) => ({
  sha256: createHash("sha256").update(text).digest("hex"),
  bytes: text.length,
});

export function auditArgs(verb: CommandVerb, args: Record<string, unknown>): unknown {
  if (verb === "config.apply")
    return {
      ...args,
      config: digest(typeof args.config === "string" ? args.config : JSON.stringify(args.config)),
    };
  // A profile's text is long; its id and hash say which one it was.
  const profile = args.profile as { id: string; yaml: string } | undefined;
  if (verb === "device.add" && profile)
    return { ...args, profile: { id: profile.id, ...digest(profile.yaml) } };
  return args;
}

/**
 * `POST /api/v1/gateways/:id/commands/<verb>`, one route per verb so each declares its role. The
 * body is the verb's arguments (checked here, and again on the agent); the answer is the agent's
 * result, or `{ error }` with 400 (bad arguments), 404 (unknown gateway), 409 (offline or not
 * listening: nothing was sent), 422 (the agent refused or rolled back), 503/504 (no NATS, no reply).
 */
export function commandRoutes(o: CommandRouteOptions): Hono {
  const app = new Hono();
  for (const verb of COMMAND_VERBS) {
    app.post(`/api/v1/gateways/:id/commands/${verb}`, o.need(COMMAND_ROLES[verb]), async (c) => {
      const gateway = gatewayIdSchema.safeParse(c.req.param("id"));
      if (!gateway.success) return c.json({ error: `gateway id: ${gateway.error.issues[0]?.message}` }, 400);
      const text = await c.req.text();
      let body: unknown = {};
      if (text.trim() !== "") {
        try {
          body = JSON.parse(text);
        } catch (err) {
          return c.json({ error: `${verb}: the body is not JSON: ${(err as Error).message}` }, 400);
        }
      }
      const args = parseCommandArgs(verb, body);
      if (!args.ok) return c.json({ error: args.error }, 400);
      const actor = o.actor?.(c);
      const outcome = await o.send(gateway.data, verb, args.args, actor);
      o.onCommand?.(
        {
          gateway: gateway.data,
          verb,
          args: auditArgs(verb, args.args as Record<string, unknown>),
          ...(actor ? { actor } : {}),
          ok: outcome.ok,
          ...(outcome.ok ? {} : { error: outcome.error }),
        },
        c,
      );
      if (outcome.ok) return c.json({ gateway: gateway.data, verb, result: outcome.result });
      return c.json(
        { gateway: gateway.data, verb, error: outcome.error, failure: outcome.failure },
        COMMAND_STATUS[outcome.failure],
      );
    });
  }
  return app;
}
