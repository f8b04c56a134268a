import { ResponseBodyError } from "openid-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSessionRefresher, type RefreshReport } from "./session-refresh.js";
import { type OidcSessionStore, openOidcSessionStore } from "./session-store.js";
import { oidcSettingsSchema } from "./settings.js";

// The refresh rules alone, with a stand-in for the IdP's token endpoint (the real one is in oidc.test.ts).
const settings = oidcSettingsSchema.parse({
  issuer: "https://sso.example.com",
  clientId: "tidegate",
  redirectUrl: "https://fleet.example.com/api/v1/auth/oidc/callback",
  roleMap: { ops: "operator", admins: "admin" },
});
let sessions: OidcSessionStore;
let clock: number;
let reports: string[];
const report: RefreshReport = (s, e) =>
  void reports.push(`${s.name} ${e.ended ? "ended" : "kept"}: ${e.detail}`);

beforeEach(() => {
  sessions = openOidcSessionStore(":memory:");
  clock = 1_000_000;
  reports = [];
});
afterEach(() => sessions.close());

const add = (refreshToken: string | null = "rt-1") =>
  sessions.add({
    name: "otto",
    subject: "s-1",
    role: "operator",
    refreshToken,
    createdAt: clock,
    refreshAt: clock + 60_000,
  });

function refresher(
  refresh: (
    token: string,
  ) => Promise<{ claims?: Record<string, unknown>; refreshToken?: string; expiresInS?: number }>,
) {
  let calls = 0;
  const current = createSessionRefresher({
    sessions,
    settings,
    now: () => clock,
    client: {
      refresh: (t) => {
        calls++;
        return refresh(t).then((r) => ({
          claims: r.claims,
          refreshToken: r.refreshToken,
          expiresInS: r.expiresInS,
        }));
      },
    },
  });
  return { current, calls: () => calls };
}

const refusal = () =>
  new ResponseBodyError("server responded with an error in the response body", {
    cause: { error: "invalid_grant", error_description: "grant request is invalid" },
    response: new Response("{}", { status: 400 }),
  });

describe("single sign-on sessions at refresh time", () => {
  it("asks the IdP only once the access token has expired, once for requests that come together", async () => {
    const id = add();
    const r = refresher(async () => ({
      refreshToken: "rt-2",
      expiresInS: 300,
      claims: { groups: ["admins"] },
    }));
    expect((await r.current(id, report))?.role).toBe("operator");
    expect(r.calls()).toBe(0);
    clock += 61_000;
    const both = await Promise.all([r.current(id, report), r.current(id, report)]);
    expect(r.calls()).toBe(1);
    // The new id_token's groups count: otto is an admin now.
    expect(both.map((s) => s?.role)).toEqual(["admin", "admin"]);
    expect(sessions.get(id)).toMatchObject({
      refreshToken: "rt-2",
      refreshAt: clock + 300_000,
      role: "admin",
    });
  });

  it("ends a session the IdP refuses, or whose new groups map to no role", async () => {
    const refused = add();
    clock += 61_000;
    expect(await refresher(() => Promise.reject(refusal())).current(refused, report)).toBeUndefined();
    expect(sessions.get(refused)).toBeUndefined();
    expect(reports[0]).toMatch(/^otto ended: the identity provider refused the refresh: invalid_grant/);

    const unmapped = add();
    clock += 61_000;
    expect(
      await refresher(async () => ({ claims: { groups: ["marketing"] } })).current(unmapped, report),
    ).toBeUndefined();
    expect(reports[1]).toBe("otto ended: none of groups [marketing] maps to a Tidegate role");
  });

  it("ends a session without a refresh token when its access token expires", async () => {
    const id = add(null);
    clock += 61_000;
    expect(await refresher(async () => ({})).current(id, report)).toBeUndefined();
    expect(reports).toEqual([
      "otto ended: the access token expired and the identity provider gave no refresh token",
    ]);
  });

  it("keeps the session while the IdP cannot be reached, and tries again 30 s later", async () => {
    const id = add();
    clock += 61_000;
    const r = refresher(() => Promise.reject(new TypeError("fetch failed")));
    expect((await r.current(id, report))?.role).toBe("operator");
    expect(reports).toEqual(["otto kept: identity provider not reached (fetch failed); tried again in 30 s"]);
    await r.current(id, report);
    expect(r.calls()).toBe(1);
    clock += 30_000;
    await r.current(id, report);
    expect(r.calls()).toBe(2);
  });
});
