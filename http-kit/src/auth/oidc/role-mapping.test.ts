import { describe, expect, it } from "vitest";
import { claimValues, roleFromClaims } from "./role-mapping.js";
import { oidcSettingsSchema, parseRoleMap } from "./settings.js";

const settings = {
  roleClaim: "groups",
  roleMap: { "tidegate-admins": "admin", "plant-ops": "operator", staff: "viewer" } as const,
  unmappedRole: "none" as const,
};

describe("roles from the id_token's claim", () => {
  it("gives the highest mapped role and says which values it came from", () => {
    expect(roleFromClaims({ groups: ["staff", "plant-ops", "other"] }, settings)).toEqual({
      role: "operator",
      from: ["staff", "plant-ops"],
    });
    expect(roleFromClaims({ groups: "tidegate-admins" }, settings)).toEqual({
      role: "admin",
      from: ["tidegate-admins"],
    });
  });

  it("refuses a user without a mapped value, or gives the default role", () => {
    expect(roleFromClaims({ groups: ["marketing"] }, settings)).toEqual({
      refused: "none of groups [marketing] maps to a Tidegate role",
    });
    expect(roleFromClaims({}, settings)).toEqual({
      refused: "the id_token has no groups claim that maps to a Tidegate role",
    });
    expect(roleFromClaims({ groups: ["marketing"] }, { ...settings, unmappedRole: "viewer" })).toEqual({
      role: "viewer",
      from: [],
    });
  });

  it("reads nested claims by a dotted path, and namespaced claim names as they are", () => {
    const claims = { realm_access: { roles: ["a", 3, "b"] }, "https://example.com/roles": ["x"] };
    expect(claimValues(claims, "realm_access.roles")).toEqual(["a", "b"]);
    expect(claimValues(claims, "https://example.com/roles")).toEqual(["x"]);
    expect(claimValues(claims, "missing.path")).toEqual([]);
    // A claim value that names a property of Object.prototype maps to nothing.
    expect(roleFromClaims({ groups: ["toString"] }, settings)).toHaveProperty("refused");
  });
});

describe("single sign-on settings", () => {
  const valid = {
    issuer: "https://sso.example.com/realms/plant",
    clientId: "tidegate",
    redirectUrl: "https://fleet.example.com/api/v1/auth/oidc/callback",
    roleMap: { ops: "operator" },
  };
  const problems = (input: Record<string, unknown>) => {
    const r = oidcSettingsSchema.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };

  it("fills the defaults", () => {
    expect(oidcSettingsSchema.parse(valid)).toMatchObject({
      scopes: "openid profile email",
      displayName: "single sign-on",
      roleClaim: "groups",
      unmappedRole: "none",
    });
  });

  it("wants https except on loopback, the callback path, openid in the scopes and a mapping", () => {
    expect(problems({ ...valid, issuer: "http://sso.example.com" })).toEqual([
      "issuer: the issuer URL must use https:// (http:// only on 127.0.0.1, ::1 or localhost)",
    ]);
    expect(problems({ ...valid, issuer: "http://127.0.0.1:9000" })).toEqual([]);
    expect(problems({ ...valid, redirectUrl: "https://fleet.example.com/callback" })).toEqual([
      "redirectUrl: the redirect URL must end in /api/v1/auth/oidc/callback",
    ]);
    expect(problems({ ...valid, scopes: "profile email" })).toEqual([
      'scopes: the scopes must include "openid"',
    ]);
    expect(problems({ ...valid, roleMap: {} })).toEqual(["roleMap: map at least one claim value to a role"]);
  });

  it("reads role maps as value=role pairs and names the pair that is wrong", () => {
    expect(parseRoleMap("tidegate-admins=admin, Plant Operators=operator")).toEqual({
      "tidegate-admins": "admin",
      "Plant Operators": "operator",
    });
    expect(parseRoleMap("a=b=viewer")).toEqual({ "a=b": "viewer" });
    expect(parseRoleMap("ops=boss")).toBe('"ops=boss": the role must be one of viewer, operator, admin');
    expect(parseRoleMap("ops")).toBe('"ops": expected <claim value>=<role>, e.g. tidegate-admins=admin');
    expect(parseRoleMap(" , ")).toMatch(/^no mapping given/);
  });
});
