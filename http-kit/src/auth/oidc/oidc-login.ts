import type { Context } from "hono";
import type { Auth, SingleSignOn } from "../middleware.js";
import { createProviderClient } from "./provider-client.js";
import { mountOidcRoutes } from "./routes.js";
import { createSessionRefresher, type RefreshReport } from "./session-refresh.js";
import type { OidcSessionStore } from "./session-store.js";
import type { OidcSettings } from "./settings.js";

export interface OidcLoginOptions {
  settings: OidcSettings;
  /** Where the sessions and their refresh tokens are kept (openOidcSessionStore). */
  sessions: OidcSessionStore;
  now?: () => number;
  /** While the IdP cannot be reached, a due refresh is tried again this much later; default 30 s. */
  retryMs?: number;
}

/**
 * OpenID Connect login beside the local accounts (authorization code flow with PKCE): pass the
 * result as `sso` in the auth options, and useAuth mounts its routes.
 */
export function createOidcLogin(o: OidcLoginOptions): SingleSignOn {
  const now = o.now ?? Date.now;
  const client = createProviderClient(o.settings);
  let audit: Auth["audit"] | undefined;
  const current = createSessionRefresher({
    sessions: o.sessions,
    client,
    settings: o.settings,
    now,
    retryMs: o.retryMs,
  });
  // Why a session ended, or could not be checked, goes into the audit log with the request's address.
  const reporter =
    (c: Context): RefreshReport =>
    (s, e) =>
      audit?.(c, e.ended ? "session.end" : "session.refresh", {
        actor: s.name,
        detail: `${o.settings.displayName}: ${e.detail}`,
        ok: false,
      });

  return {
    displayName: o.settings.displayName,
    async resolve(id, c) {
      const s = await current(id, reporter(c));
      return s && { name: s.name, role: s.role };
    },
    end: (id) => o.sessions.remove(id),
    mount(app, auth) {
      audit = auth.audit;
      mountOidcRoutes(app, auth, { settings: o.settings, client, sessions: o.sessions });
    },
  };
}
