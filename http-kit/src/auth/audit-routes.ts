import type { Hono } from "hono";
import { z } from "zod";
import { badRequest } from "../bad-request.js";
import { AUDIT_KEEP, type AuditEntry } from "./audit-store.js";
import type { Auth } from "./middleware.js";

const instant = z.coerce.number().int().min(0);
const auditFilter = z
  .object({
    since: instant.optional(),
    until: instant.optional(),
    actor: z.string().min(1).max(200).optional(),
    action: z.string().min(1).max(100).optional(),
  })
  .strict();
const auditQuery = auditFilter.extend({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  before: z.coerce.number().int().optional(),
});

/**
 * Quotes a CSV field when it must be, and defuses what a spreadsheet would run as a formula
 * (a detail or user name is written by whoever signed in, or tried to).
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function auditCsv(entries: AuditEntry[]): string {
  const rows = entries.map((e) =>
    [
      new Date(e.at).toISOString(),
      e.actor,
      e.action,
      e.target ?? "",
      e.detail ?? "",
      e.ip ?? "",
      e.ok ? "ok" : "failed",
    ]
      .map(csvField)
      .join(","),
  );
  return `${["time", "actor", "action", "target", "detail", "address", "outcome"].join(",")}\r\n${rows.map((r) => `${r}\r\n`).join("")}`;
}

/** The audit log on screen (filtered, a page at a time) and as a CSV file. */
export function mountAuditRoutes(app: Hono, auth: Auth) {
  const { store, need, audit } = auth;
  const admin = need("admin");

  app.get("/api/v1/audit", admin, (c) => {
    const q = auditQuery.safeParse(c.req.query());
    if (!q.success) return c.json(badRequest(q.error), 400);
    const limit = q.data.limit ?? 100;
    const entries = store.auditLog({ ...q.data, limit });
    // The id to pass as `before` for the next page; absent on the last page.
    const last = entries.at(-1);
    return c.json({ entries, ...(entries.length === limit && last ? { next: last.id } : {}) });
  });

  app.get("/api/v1/audit/actions", admin, (c) => c.json({ actions: store.auditActions() }));

  app.get("/api/v1/audit.csv", admin, (c) => {
    const q = auditFilter.safeParse(c.req.query());
    if (!q.success) return c.json(badRequest(q.error), 400);
    const entries = store.auditLog({ ...q.data, limit: AUDIT_KEEP }, AUDIT_KEEP);
    audit(c, "audit.export", { detail: `${entries.length} entries ${new URLSearchParams(c.req.query())}` });
    const day = new Date(auth.now()).toISOString().slice(0, 10);
    return c.body(auditCsv(entries), 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="tidegate-audit-${day}.csv"`,
    });
  });
}
