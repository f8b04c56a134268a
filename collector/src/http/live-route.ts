import type { RouteGuard } from "@tidegate/http-kit";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import type { LiveFeed, LiveReading } from "../live.js";

const keysSchema = z
  .array(z.string().regex(/^[^/]+\/[^/]+\/[^/]+$/, 'expected "gateway/device/point"'))
  .min(1, "name at least one series=gateway/device/point")
  .max(50, "at most 50 series per connection");

/**
 * GET /api/v1/live?series=gw/dev/pt (repeated): Server-Sent Events, one `reading` event per new
 * reading of those series once it is committed, and a comment every 15 s so proxies keep the
 * connection open. Browsers' EventSource reconnects on its own.
 */
export function liveRoutes(need: RouteGuard, live: LiveFeed, options: { keepAliveMs?: number } = {}): Hono {
  const app = new Hono();
  app.get("/api/v1/live", need("viewer"), (c) => {
    const parsed = keysSchema.safeParse(c.req.queries().series ?? []);
    if (!parsed.success)
      return c.json({ error: parsed.error.issues.map((i) => `series: ${i.message}`).join("; ") }, 400);
    return streamSSE(c, async (stream) => {
      const queue: LiveReading[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = live.subscribe(parsed.data, (r) => {
        queue.push(r);
        wake?.();
      });
      let open = true;
      stream.onAbort(() => {
        open = false;
        unsubscribe();
        wake?.();
      });
      await stream.writeSSE({ event: "ready", data: JSON.stringify({ series: parsed.data }) });
      while (open) {
        const r = queue.shift();
        if (r) {
          await stream.writeSSE({ event: "reading", data: JSON.stringify(r) });
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, options.keepAliveMs ?? 15_000);
        });
        wake = undefined;
        if (open && queue.length === 0) await stream.write(": keep-alive\n\n");
      }
    });
  });
  return app;
}
