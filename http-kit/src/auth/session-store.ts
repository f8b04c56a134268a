import { randomBytes } from "node:crypto";
import type Database from "better-sqlite3";

export interface SessionRow {
  id: string;
  user: string;
  createdAt: number;
  expiresAt: number;
  lastSeenAt: number;
  ip: string | null;
  agent: string | null;
}

type RawSession = {
  id: string;
  user: string;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
  ip: string | null;
  agent: string | null;
};
const toSession = (r: RawSession): SessionRow => ({
  id: r.id,
  user: r.user,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  lastSeenAt: r.last_seen_at,
  ip: r.ip,
  agent: r.agent,
});

/** How often a session's last-seen time is written: every request would turn reads into writes. */
const TOUCH_EVERY_MS = 60_000;

/**
 * The sign-ins behind the session cookies: the cookie stays a signed token, and this table lets
 * an admin see where a user is signed in and end one session or all of them.
 */
export function sessionTable(db: Database.Database) {
  const insert = db.prepare(`
    INSERT INTO sessions (id, user, created_at, expires_at, last_seen_at, ip, agent)
    VALUES (@id, @user, @at, @expiresAt, @at, @ip, @agent)`);
  const selectOne = db.prepare<[string], RawSession & { ended_at: number | null }>(
    "SELECT * FROM sessions WHERE id = ?",
  );
  const selectActive = db.prepare<[{ user: string; at: number }], RawSession>(`
    SELECT * FROM sessions WHERE user = @user AND ended_at IS NULL AND expires_at > @at
    ORDER BY created_at DESC`);
  const endOne = db.prepare(
    "UPDATE sessions SET ended_at = @at WHERE id = @id AND user = @user AND ended_at IS NULL",
  );
  const endAll = db.prepare("UPDATE sessions SET ended_at = @at WHERE user = @user AND ended_at IS NULL");
  const touch = db.prepare("UPDATE sessions SET last_seen_at = @at WHERE id = @id");
  // An ended row must outlive its cookie, or the cookie would pass as a replica's.
  const purge = db.prepare("DELETE FROM sessions WHERE expires_at < @before");

  return {
    /** Records a new sign-in; returns the session's id, carried in the cookie. */
    addSession(s: { user: string; expiresAt: number; ip?: string; agent?: string }, at = Date.now()): string {
      const id = randomBytes(12).toString("base64url");
      // Rows of cookies long expired are of no use to anyone; a sign-in is a fine moment to drop them.
      purge.run({ before: at - 86_400_000 });
      insert.run({ id, user: s.user, at, expiresAt: s.expiresAt, ip: s.ip ?? null, agent: s.agent ?? null });
      return id;
    },
    /**
     * Whether this store ended the session (or saw it expire); notes when it was seen. A session
     * it has no row for was opened by a replica sharing the session key, and stays valid.
     */
    sessionEnded(id: string, at = Date.now()): boolean {
      const row = selectOne.get(id);
      if (!row) return false;
      if (row.ended_at !== null || row.expires_at <= at) return true;
      if (at - row.last_seen_at > TOUCH_EVERY_MS) touch.run({ id, at });
      return false;
    },
    sessions: (user: string, at = Date.now()): SessionRow[] => selectActive.all({ user, at }).map(toSession),
    /** Returns whether a session of that user was on. */
    endSession: (user: string, id: string, at = Date.now()): boolean =>
      endOne.run({ user, id, at }).changes > 0,
    /** Returns how many sessions were on. */
    endSessions: (user: string, at = Date.now()): number => endAll.run({ user, at }).changes,
  };
}
