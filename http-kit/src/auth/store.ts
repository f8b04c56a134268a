import { createHash, randomBytes } from "node:crypto";
import { migrateSync, type SchemaSpec } from "@tidegate/node-kit";
import type { TokenEntry } from "@tidegate/protocol";
import Database from "better-sqlite3";
import { auditTable } from "./audit-store.js";
import type { Role } from "./roles.js";
import { sessionTable } from "./session-store.js";

/** Users, API tokens, the session signing key and the audit log: one small SQLite file per program. */
export const authSchema: SchemaSpec = {
  name: "auth store",
  migrations: [
    {
      version: 1,
      description: "users, API tokens, audit log",
      up: `
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE users (
          name TEXT PRIMARY KEY COLLATE NOCASE, role TEXT NOT NULL, hash TEXT NOT NULL,
          created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
          -- bumped on password, role or removal: sessions signed before it stop working
          session_epoch INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE tokens (
          id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, hash TEXT NOT NULL UNIQUE,
          created_at INTEGER NOT NULL, created_by TEXT, last_used_at INTEGER, revoked_at INTEGER
        );
        CREATE TABLE audit (
          id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
          target TEXT, detail TEXT, ip TEXT, ok INTEGER NOT NULL
        );
        CREATE INDEX audit_at ON audit (at);`,
    },
    {
      version: 2,
      description: "disabled users, token expiry, sessions an admin can list and end",
      up: `
        ALTER TABLE users ADD COLUMN disabled_at INTEGER;
        ALTER TABLE tokens ADD COLUMN expires_at INTEGER;
        CREATE TABLE sessions (
          id TEXT PRIMARY KEY, user TEXT NOT NULL COLLATE NOCASE, created_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL, ip TEXT, agent TEXT, ended_at INTEGER
        );
        CREATE INDEX sessions_user ON sessions (user);
        CREATE INDEX audit_actor ON audit (actor);`,
    },
  ],
};

export interface UserRow {
  name: string;
  role: Role;
  hash: string;
  sessionEpoch: number;
  createdAt: number;
  updatedAt: number;
  /** When an admin disabled the account; null while it may sign in. */
  disabledAt: number | null;
}

export type TokenRow = TokenEntry;

export const TOKEN_PREFIX = "tg_";
export const hashToken = (token: string) => createHash("sha256").update(token).digest("base64url");
export const newToken = () => `${TOKEN_PREFIX}${randomBytes(24).toString("base64url")}`;

/**
 * `sessionKey` replaces the key kept in the file: replicas behind one load balancer (several
 * collectors) must sign and check sessions with the same key (TIDEGATE_SESSION_KEY).
 */
export function openAuthStore(path: string, o: { sessionKey?: string } = {}) {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("busy_timeout = 5000");
  // A few pages are in use at a time; better-sqlite3's default would let the cache grow to 16 MB.
  db.pragma("cache_size = -512");
  migrateSync(db, authSchema, path);

  const getMeta = db.prepare<[string], { value: string }>("SELECT value FROM meta WHERE key = ?");
  const setMeta = db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)");
  setMeta.run("session-key", randomBytes(32).toString("base64url"));
  const sessionKey = o.sessionKey ?? (getMeta.get("session-key")?.value as string);

  type RawUser = {
    name: string;
    role: Role;
    hash: string;
    session_epoch: number;
    created_at: number;
    updated_at: number;
    disabled_at: number | null;
  };
  const toUser = (u: RawUser): UserRow => ({
    name: u.name,
    role: u.role,
    hash: u.hash,
    sessionEpoch: u.session_epoch,
    createdAt: u.created_at,
    updatedAt: u.updated_at,
    disabledAt: u.disabled_at,
  });
  const selectUser = db.prepare<[string], RawUser>("SELECT * FROM users WHERE name = ?");
  const selectUsers = db.prepare<[], RawUser>("SELECT * FROM users ORDER BY name");
  const countAdmins = db.prepare<[], { n: number }>(
    "SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL",
  );
  const insertUser = db.prepare(
    "INSERT INTO users (name, role, hash, created_at, updated_at) VALUES (@name, @role, @hash, @at, @at)",
  );
  const updateUser = db.prepare(`
    UPDATE users SET role = coalesce(@role, role), hash = coalesce(@hash, hash), updated_at = @at,
      session_epoch = session_epoch + 1 WHERE name = @name`);
  const disableUser = db.prepare(`
    UPDATE users SET disabled_at = @disabledAt, updated_at = @at, session_epoch = session_epoch + 1
    WHERE name = @name`);
  const deleteUser = db.prepare("DELETE FROM users WHERE name = ?");

  type RawToken = {
    id: string;
    name: string;
    role: Role;
    created_at: number;
    created_by: string | null;
    last_used_at: number | null;
    revoked_at: number | null;
    expires_at: number | null;
  };
  const toToken = (t: RawToken): TokenRow => ({
    id: t.id,
    name: t.name,
    role: t.role,
    createdAt: t.created_at,
    createdBy: t.created_by,
    lastUsedAt: t.last_used_at,
    revokedAt: t.revoked_at,
    expiresAt: t.expires_at,
  });
  const selectTokenByHash = db.prepare<[string], RawToken>("SELECT * FROM tokens WHERE hash = ?");
  const selectTokens = db.prepare<[], RawToken>("SELECT * FROM tokens ORDER BY created_at, id");
  const insertToken = db.prepare(
    `INSERT INTO tokens (id, name, role, hash, created_at, created_by, expires_at)
     VALUES (@id, @name, @role, @hash, @at, @by, @expiresAt)`,
  );
  const revokeToken = db.prepare("UPDATE tokens SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL");
  const touchToken = db.prepare("UPDATE tokens SET last_used_at = @at WHERE id = @id");

  // Writing last_used_at on every request would turn reads into writes; once a minute is enough.
  const lastTouched = new Map<string, number>();

  return {
    sessionKey,
    getUser: (name: string): UserRow | undefined => {
      const u = selectUser.get(name);
      return u ? toUser(u) : undefined;
    },
    users: (): Omit<UserRow, "hash">[] =>
      selectUsers.all().map(({ hash: _, ...u }) => toUser({ ...u, hash: "" })),
    userCount: () => selectUsers.all().length,
    adminCount: () => countAdmins.get()?.n ?? 0,
    /** Throws when the name is taken. */
    addUser(name: string, role: Role, hash: string, at = Date.now()) {
      insertUser.run({ name, role, hash, at });
    },
    /** Returns whether the user existed. Every change ends the user's sessions. */
    updateUser(name: string, change: { role?: Role; hash?: string }, at = Date.now()): boolean {
      return updateUser.run({ name, role: change.role ?? null, hash: change.hash ?? null, at }).changes > 0;
    },
    /** Returns whether the user existed. Disabling ends the user's sessions; enabling lets it sign in again. */
    setDisabled(name: string, disabled: boolean, at = Date.now()): boolean {
      return disableUser.run({ name, disabledAt: disabled ? at : null, at }).changes > 0;
    },
    removeUser: (name: string): boolean => deleteUser.run(name).changes > 0,

    /** Stores a token's hash only; the caller shows the token once. */
    addToken(
      token: string,
      t: { name: string; role: Role; by?: string; expiresAt?: number },
      at = Date.now(),
    ): string {
      const id = randomBytes(4).toString("hex");
      const expiresAt = t.expiresAt ?? null;
      insertToken.run({
        id,
        name: t.name,
        role: t.role,
        hash: hashToken(token),
        at,
        by: t.by ?? null,
        expiresAt,
      });
      return id;
    },
    /** The token row for a presented token, revoked or not; undefined when unknown. */
    findToken(token: string, at = Date.now()): TokenRow | undefined {
      const row = selectTokenByHash.get(hashToken(token));
      if (!row) return undefined;
      if (row.revoked_at === null && at - (lastTouched.get(row.id) ?? 0) > 60_000) {
        lastTouched.set(row.id, at);
        touchToken.run({ id: row.id, at });
      }
      return toToken(row);
    },
    tokens: (): TokenRow[] => selectTokens.all().map(toToken),
    revokeToken: (id: string, at = Date.now()): boolean => revokeToken.run({ id, at }).changes > 0,

    ...auditTable(db),
    ...sessionTable(db),
    close: () => db.close(),
  };
}

export type AuthStore = ReturnType<typeof openAuthStore>;
