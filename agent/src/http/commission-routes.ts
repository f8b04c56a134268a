import type { Auth } from "@tidegate/http-kit";
import { Hono } from "hono";
import { SCAN_REQUEST_HELP, scanRequestSchema } from "../commission/scan/request.js";
import { ScanBusyError, type Scanner } from "../commission/scan/scanner.js";

export interface CommissionTools {
  scan?: Scanner;
}

const notWired = { error: "the commissioning scan is not available in this agent" };

/**
 * The commissioning page's scan (operator): start one, read its progress and result (kept until
 * the next scan), cancel it. Reading it also keeps a scan that pauses polling alive: when nobody
 * reads for a while (the browser went away) it is cancelled and polling resumes.
 */
export function commissionRoutes(auth: Auth, tools: CommissionTools): Hono {
  const app = new Hono();
  const operator = auth.need("operator");

  app.get("/api/v1/commission/scan", operator, (c) => {
    if (!tools.scan) return c.json(notWired, 404);
    const scan = tools.scan.status();
    return scan
      ? c.json(scan)
      : c.json({ error: "no scan yet: POST /api/v1/commission/scan starts one" }, 404);
  });

  app.post("/api/v1/commission/scan", operator, async (c) => {
    const parsed = scanRequestSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ error: SCAN_REQUEST_HELP }, 400);
    if (!tools.scan) return c.json(notWired, 404);
    try {
      const scan = tools.scan.start(parsed.data);
      auth.audit(c, "commission.scan", {
        target: scan.target,
        detail: `${scan.progress.settingsTotal} settings${scan.skipped.length ? `, ${scan.skipped.length} left out (polling would pause)` : ""}`,
      });
      return c.json(scan, 202);
    } catch (err) {
      if (err instanceof ScanBusyError) return c.json({ error: err.message }, 409);
      throw err;
    }
  });

  app.delete("/api/v1/commission/scan", operator, (c) => {
    if (!tools.scan) return c.json(notWired, 404);
    const cancelled = tools.scan.cancel();
    if (cancelled) auth.audit(c, "commission.scan.cancel", {});
    return c.json({ cancelled });
  });
  return app;
}
