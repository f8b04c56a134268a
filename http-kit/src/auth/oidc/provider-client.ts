import * as client from "openid-client";
import { isLoopbackUrl, type OidcSettings } from "./settings.js";

/**
 * The OpenID provider as this program talks to it, through openid-client: discovery from the
 * issuer URL (tried again after a failure, so an IdP that was down at start is found later), the
 * authorization URL with PKCE, the code exchange, and refreshes.
 */
export function createProviderClient(s: OidcSettings) {
  let config: Promise<client.Configuration> | undefined;

  function discover(): Promise<client.Configuration> {
    if (!config) {
      const issuer = new URL(s.issuer);
      config = client
        .discovery(
          issuer,
          s.clientId,
          s.clientSecret,
          s.clientSecret ? client.ClientSecretBasic(s.clientSecret) : client.None(),
          isLoopbackUrl(issuer) && issuer.protocol === "http:"
            ? { execute: [client.allowInsecureRequests] }
            : {},
        )
        .then((c) => {
          // The id_token's signature is checked against the IdP's keys too, not only TLS: a proxy
          // or a plain-http loopback hop in between cannot hand us claims the IdP never signed.
          client.enableNonRepudiationChecks(c);
          return c;
        });
      config.catch(() => {
        config = undefined;
      });
    }
    return config;
  }

  return {
    /** Where to send the browser, with the secrets the callback must match. */
    async start() {
      const c = await discover();
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(c, {
        redirect_uri: s.redirectUrl,
        scope: s.scopes,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
        state,
        nonce,
      });
      return { url: url.href, verifier, state, nonce };
    },
    /** Exchanges the callback's code; throws when any check fails (state, nonce, audience, expiry, signature). */
    async finish(callbackUrl: URL, expected: { verifier: string; state: string; nonce: string }) {
      const tokens = await client.authorizationCodeGrant(await discover(), callbackUrl, {
        pkceCodeVerifier: expected.verifier,
        expectedState: expected.state,
        expectedNonce: expected.nonce,
        idTokenExpected: true,
      });
      return tokenSet(tokens);
    },
    async refresh(refreshToken: string) {
      return tokenSet(await client.refreshTokenGrant(await discover(), refreshToken));
    },
  };
}

function tokenSet(t: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers) {
  return {
    claims: t.claims() as Record<string, unknown> | undefined,
    refreshToken: t.refresh_token,
    expiresInS: t.expiresIn(),
  };
}

/** The IdP said no (an OAuth error answer such as invalid_grant), as opposed to not answering. */
export const isRefusal = (err: unknown) =>
  err instanceof client.ResponseBodyError || err instanceof client.AuthorizationResponseError;

/** openid-client's own message is generic ("unexpected JWT claim value"); its cause names the claim. */
export function whyRefused(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? cause.message : (err as Error).message;
}

export type ProviderClient = ReturnType<typeof createProviderClient>;
