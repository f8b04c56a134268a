import type { Hono } from "hono";
import { z } from "zod";
import type { Auth } from "./auth/index.js";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/**
 * The log level, read and changed at run time (debugging a device on site without a restart).
 * The change lasts until the process restarts; TIDEGATE_LOG_LEVEL sets the level at start.
 */
export function mountLogLevelRoutes(app: Hono, auth: Auth, logger: { level: string }) {
  app.get("/api/v1/log-level", auth.need("admin"), (c) => c.json({ level: logger.level }));
  const body = z.object({ level: z.enum(LOG_LEVELS) });
  app.put("/api/v1/log-level", auth.need("admin"), async (c) => {
    const parsed = body.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ error: `level: expected one of ${LOG_LEVELS.join(", ")}` }, 400);
    const from = logger.level;
    logger.level = parsed.data.level;
    auth.audit(c, "log-level", { detail: `${from} -> ${parsed.data.level}` });
    return c.json({ level: logger.level, was: from });
  });
}
