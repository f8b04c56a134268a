import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { oidcSettingsFrom } from "./oidc-options.js";
import { parseCollectorOptions } from "./options.js";

const env = {
  TIDEGATE_OIDC_ISSUER: "https://sso.example.com/realms/plant",
  TIDEGATE_OIDC_CLIENT_ID: "tidegate",
  TIDEGATE_OIDC_REDIRECT_URL: "https://fleet.example.com/api/v1/auth/oidc/callback",
  TIDEGATE_OIDC_ROLES: "tidegate-admins=admin,plant-ops=operator",
};

describe("--oidc-* options", () => {
  it("are off without any of them, and on with the issuer and its companions", () => {
    expect(oidcSettingsFrom(parseCollectorOptions({}, {}))).toBeUndefined();
    const settings = oidcSettingsFrom(parseCollectorOptions({ "oidc-default-role": "viewer" }, env));
    expect(settings).toMatchObject({
      issuer: env.TIDEGATE_OIDC_ISSUER,
      roleMap: { "tidegate-admins": "admin", "plant-ops": "operator" },
      unmappedRole: "viewer",
      roleClaim: "groups",
    });
  });

  it("read the client secret from a file, never from a flag", () => {
    const dir = mkdtempSync(join(tmpdir(), "tidegate-oidc-opt-"));
    try {
      writeFileSync(join(dir, "secret"), "s3cret\n");
      const o = parseCollectorOptions({ "oidc-client-secret-file": join(dir, "secret") }, env);
      expect(oidcSettingsFrom(o)?.clientSecret).toBe("s3cret");
      expect(
        oidcSettingsFrom(parseCollectorOptions({}, { ...env, TIDEGATE_OIDC_CLIENT_SECRET: "x" }))
          ?.clientSecret,
      ).toBe("x");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("name the flag of each mistake", () => {
    expect(() => parseCollectorOptions({ "oidc-client-id": "tidegate" }, {})).toThrow(
      "--oidc-issuer: required with --oidc-client-id",
    );
    expect(() => parseCollectorOptions({ "oidc-roles": "ops=boss" }, env)).toThrow(
      '--oidc-roles: "ops=boss": the role must be one of viewer, operator, admin',
    );
    expect(() => parseCollectorOptions({}, { ...env, TIDEGATE_OIDC_CLIENT_ID: undefined })).toThrow(
      "--oidc-client-id: required with --oidc-issuer",
    );
    expect(() => parseCollectorOptions({ "oidc-issuer": "http://sso.example.com" }, env)).toThrow(
      "--oidc-issuer: the issuer URL must use https://",
    );
    expect(() => parseCollectorOptions({ "oidc-default-role": "boss" }, env)).toThrow(
      /--oidc-default-role: /,
    );
  });
});
