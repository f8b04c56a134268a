import { type OidcSettings, oidcSettingsSchema, parseRoleMap } from "@tidegate/http-kit";
import { z } from "zod";

/** Single sign-on through an OpenID provider (docs/security.md): every setting a flag and a variable. */
export const oidcOptionFields = {
  oidcIssuer: z.string().optional().describe("the OpenID provider's issuer URL; turns single sign-on on"),
  oidcClientId: z.string().optional(),
  oidcClientSecret: z.string().optional(),
  oidcRedirectUrl: z.string().optional(),
  oidcScopes: z.string().optional(),
  oidcName: z.string().optional(),
  oidcRoleClaim: z.string().optional(),
  oidcRoles: z.string().optional(),
  oidcDefaultRole: z.string().optional(),
};

/** Option key -> [flag, environment variable]. */
export const OIDC_FLAGS = {
  oidcIssuer: ["oidc-issuer", "TIDEGATE_OIDC_ISSUER"],
  oidcClientId: ["oidc-client-id", "TIDEGATE_OIDC_CLIENT_ID"],
  oidcRedirectUrl: ["oidc-redirect-url", "TIDEGATE_OIDC_REDIRECT_URL"],
  oidcScopes: ["oidc-scopes", "TIDEGATE_OIDC_SCOPES"],
  oidcName: ["oidc-name", "TIDEGATE_OIDC_NAME"],
  oidcRoleClaim: ["oidc-role-claim", "TIDEGATE_OIDC_ROLE_CLAIM"],
  oidcRoles: ["oidc-roles", "TIDEGATE_OIDC_ROLES"],
  oidcDefaultRole: ["oidc-default-role", "TIDEGATE_OIDC_DEFAULT_ROLE"],
} as const;
/** The client secret is never a flag: an environment variable, or a file named by the `-file` flag. */
export const OIDC_SECRETS = {
  oidcClientSecret: ["oidc-client-secret-file", "TIDEGATE_OIDC_CLIENT_SECRET"],
} as const;

type OidcOptions = z.infer<z.ZodObject<typeof oidcOptionFields>>;

/** Each http-kit setting and the flag a user writes it with, for error messages. */
const SETTING_FLAGS: Record<string, keyof OidcOptions> = {
  issuer: "oidcIssuer",
  clientId: "oidcClientId",
  clientSecret: "oidcClientSecret",
  redirectUrl: "oidcRedirectUrl",
  scopes: "oidcScopes",
  displayName: "oidcName",
  roleClaim: "oidcRoleClaim",
  roleMap: "oidcRoles",
  unmappedRole: "oidcDefaultRole",
};

/**
 * The single sign-on settings, or undefined when no --oidc-* option is given; each problem is
 * reported on the option that caused it.
 */
export function oidcSettingsFrom(o: OidcOptions, ctx?: z.RefinementCtx): OidcSettings | undefined {
  // `o` may be all the collector's options: only the --oidc-* ones count here.
  const given = (Object.keys(oidcOptionFields) as (keyof OidcOptions)[]).filter((k) => o[k] !== undefined);
  if (given.length === 0) return undefined;
  const issue = (path: keyof OidcOptions, message: string) =>
    ctx?.addIssue({ code: "custom", path: [path], message });
  if (!o.oidcIssuer) {
    issue("oidcIssuer", `required with ${given.map(flagOf).join(", ")}`);
    return undefined;
  }
  const roleMap = o.oidcRoles === undefined ? {} : parseRoleMap(o.oidcRoles);
  if (typeof roleMap === "string") {
    issue("oidcRoles", roleMap);
    return undefined;
  }
  const parsed = oidcSettingsSchema.safeParse({
    issuer: o.oidcIssuer,
    clientId: o.oidcClientId,
    clientSecret: o.oidcClientSecret,
    redirectUrl: o.oidcRedirectUrl,
    scopes: o.oidcScopes,
    displayName: o.oidcName,
    roleClaim: o.oidcRoleClaim,
    roleMap,
    unmappedRole: o.oidcDefaultRole,
  });
  if (parsed.success) return parsed.data;
  for (const i of parsed.error.issues) {
    const key = SETTING_FLAGS[String(i.path[0])] ?? "oidcIssuer";
    issue(key, i.code === "invalid_type" ? "required with --oidc-issuer" : i.message);
  }
  return undefined;
}

const flagOf = (key: keyof OidcOptions) =>
  `--${({ ...OIDC_FLAGS, ...OIDC_SECRETS } as Record<string, readonly [string, string]>)[key]?.[0]}`;

/** Refinement for the collector's options schema: checks the --oidc-* group as one. */
export const checkOidcOptions = (o: OidcOptions, ctx: z.RefinementCtx) => void oidcSettingsFrom(o, ctx);
