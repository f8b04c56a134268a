import type { AuditEntry } from "@tidegate/protocol";
import type Database from "better-sqlite3";

export type { AuditEntry };

export interface AuditQuery {
  limit?: number;
  /** Entries with a smaller id than this: the next page after an entry. */
  before?: number;
  actor?: string;
  action?: string;
  /** Entries at or after this instant (ms). */
  since?: number;
  /** Entries before this instant (ms). */
  until?: number;
}

/** The audit log keeps this many newest entries; older ones are removed as new ones arrive. */
export const AUDIT_KEEP = 100_000;
/** A page of the log on screen; an export may take the whole log. */
export const AUDIT_PAGE_MAX = 1000;

const FILTERS = {
  before: "id < @before",
  since: "at >= @since",
  until: "at < @until",
  actor: "actor = @actor",
  action: "action = @action",
} as const;

/** The audit log's table in the auth store: who did what, when, from where, and whether it worked. */
export function auditTable(db: Database.Database) {
  const insertAudit = db.prepare(`
    INSERT INTO audit (at, actor, action, target, detail, ip, ok)
    VALUES (@at, @actor, @action, @target, @detail, @ip, @ok)`);
  const trimAudit = db.prepare("DELETE FROM audit WHERE id <= (SELECT max(id) FROM audit) - ?");
  const selectActions = db.prepare<[], { action: string }>(
    "SELECT DISTINCT action FROM audit ORDER BY action",
  );
  let auditWrites = 0;

  return {
    audit(e: Omit<AuditEntry, "id" | "at"> & { at?: number }) {
      insertAudit.run({
        at: e.at ?? Date.now(),
        actor: e.actor,
        action: e.action,
        target: e.target,
        detail: e.detail,
        ip: e.ip,
        ok: e.ok ? 1 : 0,
      });
      if (++auditWrites % 1000 === 0) trimAudit.run(AUDIT_KEEP);
    },
    /** Newest first; `max` caps `limit` (a page on screen by default, the whole log for an export). */
    auditLog(q: AuditQuery = {}, max = AUDIT_PAGE_MAX): AuditEntry[] {
      const params: Record<string, unknown> = { limit: Math.min(q.limit ?? 100, max) };
      const where: string[] = [];
      for (const [key, clause] of Object.entries(FILTERS)) {
        const value = q[key as keyof typeof FILTERS];
        if (value === undefined) continue;
        where.push(clause);
        params[key] = value;
      }
      const sql = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT @limit`;
      return db
        .prepare<[Record<string, unknown>], Omit<AuditEntry, "ok"> & { ok: number }>(sql)
        .all(params)
        .map((r) => ({ ...r, ok: r.ok === 1 }));
    },
    /** Every action name in the log, for the filter's choices. */
    auditActions: (): string[] => selectActions.all().map((r) => r.action),
  };
}
