import { randomBytes } from "node:crypto";
import { migrateSync, type SchemaSpec } from "@tidegate/node-kit";
import Database from "better-sqlite3";
import type { Role } from "../roles.js";

/**
 * Sessions signed in through the OpenID provider, kept server-side because each holds the IdP's
 * refresh token: its own file, so the local accounts' store and its migrations stay as they are.
 */
export const oidcSessionSchema: SchemaSpec = {
  name: "single sign-on sessions",
  migrations: [
    {
      version: 1,
      description: "sessions with their refresh tokens",
      up: `
        CREATE TABLE sessions (
          id TEXT PRIMARY KEY, name TEXT NOT NULL, subject TEXT NOT NULL, role TEXT NOT NULL,
          refresh_token TEXT, created_at INTEGER NOT NULL,
          -- the access token's expiry: the session is checked with the IdP (a refresh) after it
          refresh_at INTEGER NOT NULL
        );
        CREATE INDEX sessions_created ON sessions (created_at);`,
    },
  ],
};

export interface OidcSession {
  id: string;
  name: string;
  subject: string;
  role: Role;
  refreshToken: string | null;
  createdAt: number;
  refreshAt: number;
}

type Raw = {
  id: string;
  name: string;
  subject: string;
  role: Role;
  refresh_token: string | null;
  created_at: number;
  refresh_at: number;
};
const toSession = (r: Raw): OidcSession => ({
  id: r.id,
  name: r.name,
  subject: r.subject,
  role: r.role,
  refreshToken: r.refresh_token,
  createdAt: r.created_at,
  refreshAt: r.refresh_at,
});

export function openOidcSessionStore(path: string) {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("busy_timeout = 5000");
  migrateSync(db, oidcSessionSchema, path);
  const select = db.prepare<[string], Raw>("SELECT * FROM sessions WHERE id = ?");
  const insert = db.prepare(`
    INSERT INTO sessions (id, name, subject, role, refresh_token, created_at, refresh_at)
    VALUES (@id, @name, @subject, @role, @refreshToken, @createdAt, @refreshAt)`);
  const update = db.prepare(`
    UPDATE sessions SET role = @role, refresh_token = @refreshToken, refresh_at = @refreshAt WHERE id = @id`);
  const remove = db.prepare("DELETE FROM sessions WHERE id = ?");
  const expire = db.prepare("DELETE FROM sessions WHERE created_at < ?");

  return {
    get: (id: string): OidcSession | undefined => {
      const r = select.get(id);
      return r ? toSession(r) : undefined;
    },
    add(s: Omit<OidcSession, "id">): string {
      const id = randomBytes(18).toString("base64url");
      insert.run({ ...s, id });
      return id;
    },
    update: (id: string, s: Pick<OidcSession, "role" | "refreshToken" | "refreshAt">) =>
      void update.run({ ...s, id }),
    remove: (id: string) => void remove.run(id),
    /** Drops sessions older than the session lifetime: their cookies have expired anyway. */
    expireBefore: (at: number) => expire.run(at).changes,
    close: () => db.close(),
  };
}
export type OidcSessionStore = ReturnType<typeof openOidcSessionStore>;
