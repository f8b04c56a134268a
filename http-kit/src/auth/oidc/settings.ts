import { z } from "zod";
import { ROLES, type Role } from "../roles.js";

const LOOPBACK = new Set(["127.0.0.1", "[::1]", "localhost"]);

/** http:// only where nothing crosses a network: an IdP on this host, behind a TLS proxy or in a test. */
export const isLoopbackUrl = (u: URL) => LOOPBACK.has(u.hostname);

const secureUrl = (what: string) =>
  z
    .url({ protocol: /^https?$/, error: `expected the ${what} as an http(s) URL` })
    .refine((s) => new URL(s).protocol === "https:" || isLoopbackUrl(new URL(s)), {
      message: `the ${what} must use https:// (http:// only on 127.0.0.1, ::1 or localhost)`,
    });

/** `value=role` pairs, comma-separated: the written form of a role map in flags and environment. */
export function parseRoleMap(text: string): Record<string, Role> | string {
  const map: Record<string, Role> = {};
  for (const pair of text.split(",").map((p) => p.trim())) {
    if (!pair) continue;
    const at = pair.lastIndexOf("=");
    const value = pair.slice(0, at).trim();
    const role = pair.slice(at + 1).trim() as Role;
    if (at <= 0 || !value) return `"${pair}": expected <claim value>=<role>, e.g. tidegate-admins=admin`;
    if (!ROLES.includes(role)) return `"${pair}": the role must be one of ${ROLES.join(", ")}`;
    map[value] = role;
  }
  return Object.keys(map).length > 0
    ? map
    : "no mapping given; e.g. tidegate-admins=admin,plant-ops=operator";
}

/** One OpenID provider's settings, as a program's options give them (the program names the flags). */
export const oidcSettingsSchema = z.object({
  issuer: secureUrl("issuer URL"),
  clientId: z.string().min(1),
  /** Absent: a public client, which PKCE alone protects. */
  clientSecret: z.string().min(1).optional(),
  /** Where the IdP sends the browser back: this program's /api/v1/auth/oidc/callback as users reach it. */
  redirectUrl: secureUrl("redirect URL").refine(
    (s) => new URL(s).pathname.endsWith("/api/v1/auth/oidc/callback"),
    {
      message: "the redirect URL must end in /api/v1/auth/oidc/callback",
    },
  ),
  scopes: z
    .string()
    .default("openid profile email")
    .refine((s) => s.split(/\s+/).includes("openid"), { message: 'the scopes must include "openid"' }),
  /** Shown on the login form: "Sign in with <displayName>". */
  displayName: z.string().min(1).max(60).default("single sign-on"),
  /** The id_token claim holding the user's groups or roles (a string or an array of strings). */
  roleClaim: z.string().min(1).default("groups"),
  /** Claim value -> role; a user with several mapped values gets the highest role. */
  roleMap: z.record(z.string().min(1), z.enum(ROLES)).refine((m) => Object.keys(m).length > 0, {
    message: "map at least one claim value to a role",
  }),
  /** The role of a user whose claim values map to none; "none" refuses the login. */
  unmappedRole: z.enum([...ROLES, "none"]).default("none"),
});
export type OidcSettings = z.infer<typeof oidcSettingsSchema>;
export type OidcSettingsInput = z.input<typeof oidcSettingsSchema>;
