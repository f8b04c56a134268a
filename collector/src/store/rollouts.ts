import { type Rollout, rolloutSchema } from "@tidegate/protocol";
import type Database from "better-sqlite3";

/**
 * Rollouts as JSON documents, one row each: the state machine works on the whole rollout and
 * writes it back, and a restarted collector reads the unfinished ones to carry them on.
 */
export function createRolloutRows(db: Database.Database) {
  const upsert = db.prepare(
    `INSERT INTO rollouts (id, created_at, state, data) VALUES (@id, @createdAt, @state, @data)
     ON CONFLICT (id) DO UPDATE SET state = excluded.state, data = excluded.data`,
  );
  const one = db.prepare("SELECT data FROM rollouts WHERE id = ?").pluck();
  const newest = db.prepare("SELECT data FROM rollouts ORDER BY created_at DESC, id DESC LIMIT ?").pluck();
  const active = db
    .prepare("SELECT data FROM rollouts WHERE state IN ('running', 'paused') ORDER BY created_at, id")
    .pluck();
  // A row this version cannot read is skipped rather than taking the API down with it.
  const parse = (data: unknown): Rollout | undefined => {
    try {
      const parsed = rolloutSchema.safeParse(JSON.parse(String(data)));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  };
  const parseAll = (rows: unknown[]) => rows.map(parse).filter((r): r is Rollout => r !== undefined);
  return {
    saveRollout(r: Rollout) {
      upsert.run({ id: r.id, createdAt: r.createdAt, state: r.state, data: JSON.stringify(r) });
    },
    rollout: (id: string): Rollout | undefined => parse(one.get(id)),
    /** Newest first. */
    rollouts: (limit = 100): Rollout[] => parseAll(newest.all(limit)),
    /** Running and paused ones, oldest first: what the rollout driver works on. */
    activeRollouts: (): Rollout[] => parseAll(active.all()),
  };
}
