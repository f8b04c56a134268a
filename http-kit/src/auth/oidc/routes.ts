import type { Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { sign, verify } from "hono/jwt";
import { z } from "zod";
import type { Auth } from "../middleware.js";
import { isHttps, setSessionCookies } from "../session-cookie.js";
import { type ProviderClient, whyRefused } from "./provider-client.js";
import { roleFromClaims } from "./role-mapping.js";
import { nextRefreshAt } from "./session-refresh.js";
import type { OidcSessionStore } from "./session-store.js";
import type { OidcSettings } from "./settings.js";

/** The login in flight (state, nonce, PKCE verifier), signed, in a cookie only the callback reads. */
const FLOW_COOKIE = "tidegate_oidc";
const FLOW_PATH = "/api/v1/auth/oidc";
const FLOW_SECONDS = 600;
const flowClaims = z.object({ state: z.string(), nonce: z.string(), verifier: z.string() });

/** The name a user is shown and audited under: the IdP's user name, else the e-mail, else the subject. */
export function displayNameOf(claims: Record<string, unknown>): string {
  for (const key of ["preferred_username", "email", "sub"]) {
    const v = claims[key];
    if (typeof v === "string" && v.length > 0) return v.slice(0, 200);
  }
  return "unknown";
}

/**
 * GET /api/v1/auth/oidc/start sends the browser to the IdP; GET …/callback checks what comes back,
 * maps the role and signs the user in with the same session cookie as a password login. Both are
 * public (PUBLIC_PATHS): they are how a user gets a session. Failures go back to the dashboard
 * with `?sso_error=` for the login form to show, and into the audit log.
 */
export function mountOidcRoutes(
  app: Hono,
  auth: Auth,
  o: { settings: OidcSettings; client: ProviderClient; sessions: OidcSessionStore },
) {
  const s = o.settings;
  // The dashboard's address, from the redirect URL (…/api/v1/auth/oidc/callback), so a path prefix
  // set up in a reverse proxy is kept.
  const home = new URL("../../../..", s.redirectUrl).href;
  const back = (c: Context, error?: string) =>
    c.redirect(error ? `${home}?sso_error=${encodeURIComponent(error)}` : home, 302);
  const refused = (c: Context, actor: string, reason: string) => {
    auth.audit(c, "login", { actor, ok: false, detail: `${s.displayName}: ${reason}` });
    return back(c, reason);
  };

  app.get(`${FLOW_PATH}/start`, async (c) => {
    let flow: Awaited<ReturnType<ProviderClient["start"]>>;
    try {
      flow = await o.client.start();
    } catch (err) {
      return refused(
        c,
        "anonymous",
        `the identity provider at ${s.issuer} cannot be reached: ${(err as Error).message}`,
      );
    }
    const exp = Math.floor(auth.now() / 1000) + FLOW_SECONDS;
    const { url, ...secrets } = flow;
    // Lax, not Strict: the callback is a navigation from the IdP's site, which Strict cookies skip.
    setCookie(c, FLOW_COOKIE, await sign({ ...secrets, exp }, auth.store.sessionKey, "HS256"), {
      httpOnly: true,
      sameSite: "Lax",
      secure: isHttps(c),
      path: FLOW_PATH,
      maxAge: FLOW_SECONDS,
    });
    return c.redirect(url, 302);
  });

  app.get(`${FLOW_PATH}/callback`, async (c) => {
    const cookie = getCookie(c, FLOW_COOKIE);
    deleteCookie(c, FLOW_COOKIE, { path: FLOW_PATH });
    const idpError = c.req.query("error");
    if (idpError) {
      const description = c.req.query("error_description");
      return refused(
        c,
        "anonymous",
        `the identity provider said ${idpError}${description ? `: ${description}` : ""}`,
      );
    }
    let flow: z.infer<typeof flowClaims>;
    try {
      flow = flowClaims.parse(await verify(cookie ?? "", auth.store.sessionKey, "HS256"));
    } catch {
      return refused(c, "anonymous", "the sign-in took too long or began in another browser; try again");
    }
    // The URL as the IdP called it, whatever a reverse proxy made of it on the way here.
    const callbackUrl = new URL(s.redirectUrl);
    callbackUrl.search = new URL(c.req.url).search;
    let tokens: Awaited<ReturnType<ProviderClient["finish"]>>;
    try {
      tokens = await o.client.finish(callbackUrl, flow);
    } catch (err) {
      return refused(c, "anonymous", `the identity provider's answer was refused: ${whyRefused(err)}`);
    }
    const claims = tokens.claims ?? {};
    const name = displayNameOf(claims);
    const decision = roleFromClaims(claims, s);
    if ("refused" in decision) return refused(c, name, decision.refused);

    const at = auth.now();
    o.sessions.expireBefore(at - auth.sessionSeconds * 1000);
    const sid = o.sessions.add({
      name,
      subject: String(claims.sub),
      role: decision.role,
      refreshToken: tokens.refreshToken ?? null,
      createdAt: at,
      refreshAt: nextRefreshAt(at, tokens.expiresInS),
    });
    setSessionCookies(c, await auth.issueSession({ name, role: decision.role, sessionEpoch: 0, sid }));
    const why = decision.from.length ? `from ${s.roleClaim} ${decision.from.join(", ")}` : "the default role";
    auth.audit(c, "login", {
      actor: name,
      detail: `${s.displayName} (${claims.sub}): ${decision.role}, ${why}`,
    });
    return back(c);
  });
}
