import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import Provider from "oidc-provider";

/** A user at the test IdP: the login form takes the id (any password), the id_token carries the groups. */
export interface TestIdpUser {
  groups: string[];
}

/** Rewrites the id_token of the next token answers: plays an IdP (or a hop before it) that lies. */
export type IdTokenTamper = (
  idToken: string,
  sign: (claims: Record<string, unknown>) => Promise<string>,
) => Promise<string>;

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Sets (or clears) how token answers are rewritten from now on. */
  tamper(t: IdTokenTamper | undefined): void;
  /** Revokes every grant the user gave: their refresh tokens stop working, as after an admin's revoke at the IdP. */
  revokeGrants(user: string): Promise<number>;
  /** Runs the login in a browser-less way: start URL -> IdP login form -> callback URL with the code. */
  loginUrlFor(startRedirect: string, user: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A real OpenID provider (oidc-provider) on a free port of 127.0.0.1, with one confidential client
 * for `redirectUrl`, its development login form (any user id, any password), no consent step, and
 * refresh tokens for every code grant, as Keycloak or Authentik give them.
 */
export async function startTestIdp(o: {
  redirectUrl: string;
  users: Record<string, TestIdpUser>;
}): Promise<TestIdp> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk: JWK = { ...(await exportJWK(privateKey)), kid: "test-key", alg: "RS256", use: "sig" };
  const clientId = "tidegate";
  const clientSecret = "test-client-secret-0123456789";
  const grants = new Map<string, string[]>();
  let tamper: IdTokenTamper | undefined;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [o.redirectUrl],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: ["test-cookie-key-0123456789"] },
    claims: { openid: ["sub"], profile: ["preferred_username", "groups"], email: ["email"] },
    // The groups go into the id_token, as the docs' IdP examples set them up.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true } },
    ttl: {
      AccessToken: 3600,
      IdToken: 3600,
      RefreshToken: 86_400,
      Grant: 86_400,
      Session: 86_400,
      Interaction: 600,
    },
    findAccount: async (_ctx, id) => {
      const user = o.users[id];
      if (!user) return undefined;
      return {
        accountId: id,
        claims: async () => ({
          sub: id,
          preferred_username: id,
          email: `${id}@example.test`,
          groups: user.groups,
        }),
      };
    },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    // Each refresh token works once, as with Keycloak's "revoke refresh token" or Authentik.
    rotateRefreshToken: true,
    // A first-party client: the user is not asked to consent; the grant is kept so tests can revoke it.
    loadExistingGrant: async (ctx) => {
      const accountId = ctx.oidc.session?.accountId as string;
      const existing = ctx.oidc.session?.grantIdFor(clientId);
      if (existing) return ctx.oidc.provider.Grant.find(existing);
      const grant = new ctx.oidc.provider.Grant({ clientId, accountId });
      grant.addOIDCScope("openid profile email");
      const id = await grant.save();
      grants.set(accountId, [...(grants.get(accountId) ?? []), id]);
      return grant;
    },
  });
  const sign = (claims: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "test-key" }).sign(privateKey);
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { id_token?: string } | undefined;
    if (tamper && ctx.path === "/token" && body?.id_token) body.id_token = await tamper(body.id_token, sign);
  });
  server.on("request", provider.callback());

  return {
    issuer,
    clientId,
    clientSecret,
    tamper: (t) => {
      tamper = t;
    },
    async revokeGrants(user) {
      const ids = grants.get(user) ?? [];
      grants.delete(user);
      for (const id of ids) await (await provider.Grant.find(id))?.destroy();
      return ids.length;
    },
    loginUrlFor: (start, user) => driveLogin(start, user),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Follows the IdP's redirects and fills its login form with fetch and a cookie jar, until it sends the browser back. */
async function driveLogin(start: string, user: string): Promise<string> {
  const jar = new Map<string, string>();
  const remember = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const [name, ...value] = (pair as string).split("=");
      jar.set(name as string, value.join("="));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const issuerOrigin = new URL(start).origin;
  let url = start;
  for (let hop = 0; hop < 20; hop++) {
    if (new URL(url).origin !== issuerOrigin) return url; // back at the relying party
    let res = await fetch(url, { redirect: "manual", headers: { cookie: cookie() } });
    remember(res);
    if (res.status === 200) {
      // The login form: post the user id with any password, as a person would.
      const html = await res.text();
      const action = /action="([^"]+)"/.exec(html)?.[1];
      if (!action) throw new Error(`no login form at ${url}: ${html.slice(0, 300)}`);
      res = await fetch(new URL(action, url), {
        method: "POST",
        redirect: "manual",
        headers: { cookie: cookie(), "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ prompt: "login", login: user, password: "any" }),
      });
      remember(res);
    }
    const location = res.headers.get("location");
    if (!location) throw new Error(`the IdP answered ${res.status} at ${url} without a redirect`);
    url = new URL(location, url).href;
  }
  throw new Error("too many redirects at the IdP");
}
