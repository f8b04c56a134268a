import { randomBytes } from "node:crypto";
import type { Context, Hono, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { sign, verify } from "hono/jwt";
import { type Principal, type Role, roleAtLeast } from "./roles.js";
import type { AuthStore } from "./store.js";

declare module "hono" {
  interface ContextVariableMap {
    principal?: Principal;
  }
}

export const SESSION_COOKIE = "tidegate_session";
export const CSRF_COOKIE = "tidegate_csrf";
export const CSRF_HEADER = "x-csrf-token";

/**
 * Paths open to anyone, by design: what a login page and a supervisor need. The health checks are
 * outside /api, which this middleware never guards; they are listed so the route-role check and
 * the fuzzer know them as public too.
 */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set([
  "/api/v1/info",
  "/api/v1/auth/login",
  "/api/v1/auth/logout",
  "/api/v1/auth/me",
  "/api/v1/branding",
  "/api/v1/branding/logo",
  "/api/v1/auth/config",
  "/api/v1/auth/oidc/start",
  "/api/v1/auth/oidc/callback",
  "/healthz",
  "/readyz",
]);
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface AuthOptions {
  store: AuthStore;
  /** Lets requests without credentials in with this role (read-only panels on a trusted network). */
  anonymousRole?: "viewer";
  /** Session lifetime; default 12 h (a shift). */
  sessionHours?: number;
  now?: () => number;
  /** Single sign-on beside the local accounts (auth/oidc): its routes, and its sessions' checks. */
  sso?: SingleSignOn;
}

/** Sessions signed in at an identity provider: each is looked up (and may end) on every request. */
export interface SingleSignOn {
  /** Shown on the login form: "Sign in with <displayName>". */
  displayName: string;
  /** The session's user and role now; undefined once it has ended (signed out, or refused by the IdP). */
  resolve(sessionId: string, c: Context): Promise<{ name: string; role: Role } | undefined>;
  end(sessionId: string): void;
  mount(app: Hono, auth: Auth): void;
}

/** A middleware that demands a role, carrying that role so tests can find and prove every guard. */
export type RoleGuard = MiddlewareHandler & { requiredRole: Role };

interface SessionClaims {
  sub: string;
  role: Role;
  /** The user's session epoch when signed: a password or role change ends older sessions. */
  se: number;
  csrf: string;
  /** A single sign-on session's id: the user is not a local account, the session store knows it. */
  sid?: string;
  /** The sessions table's row (local and single sign-on alike): an admin can end it. */
  rid?: string;
  exp: number;
  iat: number;
}

/** Where a request came from, for the audit log and the login limiter. */
export function clientAddress(c: Context): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? "local";
}

export function createAuth(o: AuthOptions) {
  const now = o.now ?? Date.now;
  const sessionSeconds = Math.round((o.sessionHours ?? 12) * 3600);
  const store = o.store;

  async function fromSession(c: Context): Promise<Principal | undefined> {
    const jwt = getCookie(c, SESSION_COOKIE);
    if (!jwt) return undefined;
    try {
      const claims = (await verify(jwt, store.sessionKey, "HS256")) as unknown as SessionClaims;
      // Ended by an admin or by signing out (a row this store lacks was opened by a replica).
      if (claims.rid !== undefined && store.sessionEnded(claims.rid, now())) return undefined;
      const row = claims.rid === undefined ? {} : { sessionRow: claims.rid };
      if (claims.sid !== undefined) {
        const sso = await o.sso?.resolve(claims.sid, c);
        return sso && { ...sso, via: "session", csrf: claims.csrf, sessionId: claims.sid, ...row };
      }
      const user = store.getUser(claims.sub);
      // A removed or disabled user, or one whose password or role changed since, has no session any more.
      if (!user || user.sessionEpoch !== claims.se || user.disabledAt !== null) return undefined;
      return { name: user.name, role: user.role, via: "session", csrf: claims.csrf, ...row };
    } catch {
      return undefined;
    }
  }

  function fromToken(c: Context): Principal | undefined | "bad" {
    const header = c.req.header("authorization");
    if (!header) return undefined;
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) return "bad";
    const row = store.findToken(m[1] as string, now());
    if (!row || row.revokedAt !== null || (row.expiresAt !== null && row.expiresAt <= now())) return "bad";
    return { name: `token:${row.name}`, role: row.role, via: "token", tokenId: row.id };
  }

  /** Finds who is asking, and refuses anonymous calls to anything but the public API paths. */
  const authenticate: MiddlewareHandler = async (c, next) => {
    // The dashboard's files, /healthz and /readyz need nobody: no token or session lookup for them.
    const guarded = c.req.path === "/metrics" || c.req.path.startsWith("/api/");
    if (!guarded) return next();
    const token = fromToken(c);
    if (token === "bad")
      return c.json({ error: "invalid, expired or revoked API token (Authorization: Bearer <token>)" }, 401);
    const principal =
      token ??
      (await fromSession(c)) ??
      (o.anonymousRole ? { name: "anonymous", role: o.anonymousRole, via: "anonymous" as const } : undefined);
    if (principal) c.set("principal", principal);
    if (!principal && !PUBLIC_PATHS.has(c.req.path))
      return c.json(
        { error: "login required: POST /api/v1/auth/login, or send Authorization: Bearer <API token>" },
        401,
      );
    return next();
  };

  /**
   * The role a route needs. Writes made with a session cookie must also carry the session's CSRF
   * token in a header, which another site's page cannot read (tokens are not sent by browsers on
   * their own, so they need none).
   */
  function need(role: Role): RoleGuard {
    const guard: MiddlewareHandler = async (c, next) => {
      const p = c.get("principal");
      if (!p) return c.json({ error: "login required" }, 401);
      if (!roleAtLeast(p.role, role))
        return c.json({ error: `${role} role required; ${p.name} is ${p.role}` }, 403);
      if (p.via === "session" && !SAFE_METHODS.has(c.req.method) && c.req.header(CSRF_HEADER) !== p.csrf)
        return c.json({ error: `missing or wrong ${CSRF_HEADER} header (reload the page)` }, 403);
      return next();
    };
    return Object.assign(guard, { requiredRole: role });
  }

  /** `from` (the request) records where the session was opened, for the admin's list of sessions. */
  async function issueSession(
    user: { name: string; role: Role; sessionEpoch: number; sid?: string },
    from?: Context,
  ) {
    const iat = Math.floor(now() / 1000);
    const csrf = randomBytes(18).toString("base64url");
    const rid = store.addSession(
      {
        user: user.name,
        expiresAt: (iat + sessionSeconds) * 1000,
        ...(from ? { ip: clientAddress(from), agent: from.req.header("user-agent")?.slice(0, 300) } : {}),
      },
      now(),
    );
    const claims: SessionClaims = {
      sub: user.name,
      role: user.role,
      se: user.sessionEpoch,
      csrf,
      ...(user.sid === undefined ? {} : { sid: user.sid }),
      rid,
      iat,
      exp: iat + sessionSeconds,
    };
    return { jwt: await sign({ ...claims }, store.sessionKey, "HS256"), csrf, maxAge: sessionSeconds };
  }

  /** Records who did what: logins, user and token changes, commands. */
  function audit(
    c: Context,
    action: string,
    e: { target?: string; detail?: string; ok?: boolean; actor?: string } = {},
  ) {
    store.audit({
      at: now(),
      actor: e.actor ?? c.get("principal")?.name ?? "anonymous",
      action,
      target: e.target ?? null,
      detail: e.detail ?? null,
      ip: clientAddress(c),
      ok: e.ok ?? true,
    });
  }

  return { store, authenticate, need, issueSession, audit, now, sessionSeconds, sso: o.sso };
}

export type Auth = ReturnType<typeof createAuth>;
