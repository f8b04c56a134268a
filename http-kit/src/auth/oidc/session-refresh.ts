import type { Role } from "../roles.js";
import { isRefusal, type ProviderClient } from "./provider-client.js";
import { roleFromClaims } from "./role-mapping.js";
import type { OidcSession, OidcSessionStore } from "./session-store.js";
import type { OidcSettings } from "./settings.js";

export interface RefreshOptions {
  sessions: OidcSessionStore;
  client: Pick<ProviderClient, "refresh">;
  settings: OidcSettings;
  now: () => number;
  /** While the IdP cannot be reached, a session is tried again this much later; default 30 s. */
  retryMs?: number;
}

/** Told when the IdP refused a session, or a refresh could not be made; `ended` when it is over. */
export type RefreshReport = (s: OidcSession, e: { ended: boolean; detail: string }) => void;

/** When to check with the IdP again: at the access token's expiry, or in 5 minutes if it gave none. */
export const nextRefreshAt = (now: number, expiresInS: number | undefined) =>
  now + (expiresInS ?? 300) * 1000;

/**
 * A session's user and role, checked with the IdP once its access token has expired: a refresh
 * that the IdP refuses (revoked grant, ended IdP session, disabled user) ends the session. Requests
 * that arrive together share one refresh, since IdPs rotate refresh tokens and a second use of the
 * old one would count as a replay.
 */
export function createSessionRefresher(o: RefreshOptions) {
  const retryMs = o.retryMs ?? 30_000;
  const running = new Map<string, Promise<OidcSession | undefined>>();

  async function refresh(s: OidcSession, report: RefreshReport): Promise<OidcSession | undefined> {
    const end = (s: OidcSession, detail: string) => {
      o.sessions.remove(s.id);
      report(s, { ended: true, detail });
      return undefined;
    };
    if (!s.refreshToken)
      return end(s, "the access token expired and the identity provider gave no refresh token");
    try {
      const t = await o.client.refresh(s.refreshToken);
      let role: Role = s.role;
      // A new id_token carries the user's groups as they are now: a changed group changes the role.
      if (t.claims) {
        const decision = roleFromClaims(t.claims, o.settings);
        if ("refused" in decision) return end(s, decision.refused);
        role = decision.role;
      }
      const next = {
        role,
        refreshToken: t.refreshToken ?? s.refreshToken,
        refreshAt: nextRefreshAt(o.now(), t.expiresInS),
      };
      o.sessions.update(s.id, next);
      return { ...s, ...next };
    } catch (err) {
      const e = err as { error?: string; error_description?: string; message: string };
      if (isRefusal(err))
        return end(
          s,
          `the identity provider refused the refresh: ${e.error ?? e.message}${e.error_description ? ` (${e.error_description})` : ""}`,
        );
      // Not reached, as opposed to refused: the session goes on, and is tried again a little later.
      const refreshAt = o.now() + retryMs;
      o.sessions.update(s.id, { role: s.role, refreshToken: s.refreshToken, refreshAt });
      report(s, {
        ended: false,
        detail: `identity provider not reached (${e.message}); tried again in ${retryMs / 1000} s`,
      });
      return { ...s, refreshAt };
    }
  }

  return async function current(id: string, report: RefreshReport): Promise<OidcSession | undefined> {
    const s = o.sessions.get(id);
    if (!s || o.now() < s.refreshAt) return s;
    let p = running.get(id);
    if (!p) {
      p = refresh(s, report).finally(() => running.delete(id));
      running.set(id, p);
    }
    return p;
  };
}
