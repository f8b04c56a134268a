import type { Context, MiddlewareHandler } from "hono";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { clientAddress } from "./auth/middleware.js";

export interface ApiRateLimits {
  /** Requests per window per API token or signed-in user; 0 turns this limit off. */
  perPrincipal?: number;
  /** Requests per window per client address, whoever signs in from it; 0 turns this limit off. */
  perAddress?: number;
  windowS?: number;
}

/**
 * Generous on purpose: a fleet view, a Grafana panel or a script polling several times a second
 * stays far below; a runaway loop or a scan of the API does not. Behind a reverse proxy every
 * client has the proxy's address, so raise `perAddress` (or set it to 0) there.
 */
const PER_PRINCIPAL = 500;
export const DEFAULT_API_RATE_LIMITS: Required<ApiRateLimits> = {
  perPrincipal: PER_PRINCIPAL,
  perAddress: 2 * PER_PRINCIPAL,
  windowS: 10,
};

/** What the one setting both programs take means, for their config docs and schemas. */
export const RATE_LIMIT_SETTING_HELP =
  "API requests per 10 s per token or user, and twice that per client address (429 with Retry-After beyond); 0 turns the limits off";

/** The limits from one setting, as both programs take it: per principal, twice that per address; 0 is off. */
export function rateLimitsFromSetting(perPrincipal: number): ApiRateLimits | false {
  return perPrincipal > 0 ? { perPrincipal, perAddress: 2 * perPrincipal } : false;
}

function limiter(points: number, windowS: number): RateLimiterMemory | undefined {
  return points > 0 ? new RateLimiterMemory({ points, duration: windowS }) : undefined;
}

/**
 * Limits requests to /api and /metrics per principal (token or user) and per address, with 429
 * and Retry-After when over. Runs after authentication, so it knows the principal; anonymous
 * callers count by address only. Counters live in memory: a restart forgets them.
 */
export function apiRateLimit(limits: ApiRateLimits = {}): MiddlewareHandler {
  const o = { ...DEFAULT_API_RATE_LIMITS, ...limits };
  const byPrincipal = limiter(o.perPrincipal, o.windowS);
  const byAddress = limiter(o.perAddress, o.windowS);

  const tooMany = (c: Context, who: string, points: number, res: RateLimiterRes) => {
    const retryS = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
    return c.json(
      {
        error: `too many requests from ${who}: at most ${points} per ${o.windowS} s; try again in ${retryS} s`,
      },
      429,
      { "Retry-After": String(retryS) },
    );
  };

  return async (c, next) => {
    const guarded = c.req.path === "/metrics" || c.req.path.startsWith("/api/");
    if (!guarded) return next();
    const address = clientAddress(c);
    const principal = c.get("principal");
    try {
      await byAddress?.consume(address);
    } catch (err) {
      if (err instanceof RateLimiterRes) return tooMany(c, `address ${address}`, o.perAddress, err);
      throw err;
    }
    if (principal && principal.via !== "anonymous") {
      const key = principal.via === "token" ? `token:${principal.tokenId}` : `user:${principal.name}`;
      try {
        await byPrincipal?.consume(key);
      } catch (err) {
        if (err instanceof RateLimiterRes) return tooMany(c, principal.name, o.perPrincipal, err);
        throw err;
      }
    }
    return next();
  };
}
