import { type Role, roleAtLeast } from "../roles.js";
import type { OidcSettings } from "./settings.js";

export type RoleDecision = { role: Role; from: string[] } | { refused: string };

/** The claim's values: IdPs send one string, an array of strings, or (Keycloak realm roles) a nested list. */
export function claimValues(claims: Record<string, unknown>, claim: string): string[] {
  // "realm_access.roles" style paths reach into nested objects, as Keycloak sends roles.
  let value: unknown = claims;
  for (const key of claim in claims ? [claim] : claim.split(".")) {
    value = value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
  }
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return [];
}

/** The highest role any of the user's claim values maps to, else the unmapped role, else a refusal. */
export function roleFromClaims(
  claims: Record<string, unknown>,
  s: Pick<OidcSettings, "roleClaim" | "roleMap" | "unmappedRole">,
): RoleDecision {
  const values = claimValues(claims, s.roleClaim);
  const mapped = values.filter((v) => Object.hasOwn(s.roleMap, v));
  let best: Role | undefined;
  for (const v of mapped) {
    const role = s.roleMap[v] as Role;
    if (!best || roleAtLeast(role, best)) best = role;
  }
  if (best) return { role: best, from: mapped };
  if (s.unmappedRole !== "none") return { role: s.unmappedRole, from: [] };
  return {
    refused: values.length
      ? `none of ${s.roleClaim} [${values.join(", ")}] maps to a Tidegate role`
      : `the id_token has no ${s.roleClaim} claim that maps to a Tidegate role`,
  };
}
