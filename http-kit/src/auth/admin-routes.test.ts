import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditCsv, csvField } from "./audit-routes.js";
import { CSRF_HEADER, useAuth } from "./index.js";
import { hashPassword } from "./password.js";
import { type AuthStore, openAuthStore } from "./store.js";

// The admin's routes in-process, against an auth store on disk, with a clock the tests move.

let dir: string;
let store: AuthStore;
let clock: number;

function app() {
  const a = new Hono();
  const auth = useAuth(a, { store, now: () => clock });
  a.get("/api/v1/things", auth.need("viewer"), (c) => c.json({ things: [1] }));
  return a;
}

const send = (method: string, body: unknown, headers: Record<string, string>) => ({
  method,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

async function login(a: Hono, user: string, password: string, agent = "test browser") {
  const res = await a.request("/api/v1/auth/login", {
    ...send("POST", { user, password }, { "user-agent": agent }),
  });
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const body = (await res.json()) as { csrf?: string; error?: string };
  return { status: res.status, body, headers: { cookie, [CSRF_HEADER]: body.csrf ?? "" } };
}

const things = async (a: Hono, headers: Record<string, string>) =>
  (await a.request("/api/v1/things", { headers })).status;

async function auditEntries(a: Hono, headers: Record<string, string>, query = "") {
  const res = await a.request(`/api/v1/audit${query}`, { headers });
  return (await res.json()) as {
    entries: { id: number; actor: string; action: string; target: string | null; detail: string | null }[];
    next?: number;
  };
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "tidegate-admin-"));
  store = openAuthStore(join(dir, "auth.db"));
  // The session cookie's expiry is checked against the real clock: start from now.
  clock = Date.now();
  store.addUser("ada", "admin", await hashPassword("correct horse"));
  store.addUser("otto", "operator", await hashPassword("operator pw"));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("users", () => {
  it("a disabled user cannot sign in and loses its sessions; enabled again, it can", async () => {
    const a = app();
    const { headers: admin } = await login(a, "ada", "correct horse");
    const otto = await login(a, "otto", "operator pw");
    expect(await things(a, otto.headers)).toBe(200);

    const disable = await a.request("/api/v1/users/otto", send("PATCH", { disabled: true }, admin));
    expect(await disable.json()).toEqual({ name: "otto", role: "operator", disabled: true });
    expect(await things(a, otto.headers)).toBe(401);
    const refused = await login(a, "otto", "operator pw");
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe("this account is disabled; ask an admin");
    const users = (await (await a.request("/api/v1/users", { headers: admin })).json()) as {
      users: { name: string; disabledAt: number | null }[];
    };
    expect(users.users.find((u) => u.name === "otto")?.disabledAt).toBe(clock);

    await a.request("/api/v1/users/otto", send("PATCH", { disabled: false }, admin));
    expect((await login(a, "otto", "operator pw")).status).toBe(200);
    const details = (await auditEntries(a, admin, "?action=user.change")).entries.map((e) => e.detail);
    expect(details).toEqual(["enabled", "disabled"]);
  });

  it("the last admin cannot be disabled; a bad change answers 400 with a message", async () => {
    const a = app();
    const { headers: admin } = await login(a, "ada", "correct horse");
    const last = await a.request("/api/v1/users/ada", send("PATCH", { disabled: true }, admin));
    expect(last.status).toBe(409);
    const bad = await a.request("/api/v1/users/otto", send("PATCH", { disabled: "yes" }, admin));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^disabled: /);
    const unknown = await a.request("/api/v1/users/otto", send("PATCH", { admin: true }, admin));
    expect(unknown.status).toBe(400);
  });

  it("a password reset by an admin ends the user's sessions and lets the new password in", async () => {
    const a = app();
    const { headers: admin } = await login(a, "ada", "correct horse");
    const otto = await login(a, "otto", "operator pw");
    const reset = await a.request("/api/v1/users/otto", send("PATCH", { password: "a new password" }, admin));
    expect(reset.status).toBe(200);
    expect(await things(a, otto.headers)).toBe(401);
    expect((await login(a, "otto", "operator pw")).status).toBe(401);
    expect((await login(a, "otto", "a new password")).status).toBe(200);
  });
});

describe("sessions", () => {
  it("lists a user's sessions with where they came from, and ends one or all of them", async () => {
    const a = app();
    const { headers: admin } = await login(a, "ada", "correct horse");
    const desk = await login(a, "otto", "operator pw", "desk browser");
    const panel = await login(a, "otto", "operator pw", "panel browser");
    const list = async () =>
      (
        (await (await a.request("/api/v1/users/otto/sessions", { headers: admin })).json()) as {
          sessions: { id: string; agent: string; ip: string; current: boolean }[];
        }
      ).sessions;
    const sessions = await list();
    expect(sessions.map((s) => s.agent).sort()).toEqual(["desk browser", "panel browser"]);
    expect(sessions.every((s) => !s.current && s.ip === "local")).toBe(true);

    const deskId = sessions.find((s) => s.agent === "desk browser")?.id as string;
    const end = await a.request(`/api/v1/users/otto/sessions/${deskId}`, {
      method: "DELETE",
      headers: admin,
    });
    expect(end.status).toBe(200);
    expect(await things(a, desk.headers)).toBe(401);
    expect(await things(a, panel.headers)).toBe(200);
    expect((await list()).map((s) => s.agent)).toEqual(["panel browser"]);
    const again = await a.request(`/api/v1/users/otto/sessions/${deskId}`, {
      method: "DELETE",
      headers: admin,
    });
    expect(again.status).toBe(404);

    const all = await a.request("/api/v1/users/otto/sessions", { method: "DELETE", headers: admin });
    expect(await all.json()).toEqual({ ok: true, ended: 1 });
    expect(await things(a, panel.headers)).toBe(401);
    expect(await list()).toEqual([]);
    const mine = (await (await a.request("/api/v1/users/ada/sessions", { headers: admin })).json()) as {
      sessions: { current: boolean }[];
    };
    expect(mine.sessions.map((s) => s.current)).toEqual([true]);
    const actions = (await auditEntries(a, admin, "?actor=ada")).entries.map(
      (e) => `${e.action} ${e.target}`,
    );
    expect(actions).toContain("session.end otto");
    expect(actions).toContain("session.end-all otto");
  });

  it("signing out ends the session's row, so the same cookie is refused afterwards", async () => {
    const a = app();
    const otto = await login(a, "otto", "operator pw");
    await a.request("/api/v1/auth/logout", { method: "POST", headers: otto.headers });
    expect(await things(a, otto.headers)).toBe(401);
  });
});

describe("API tokens", () => {
  it("carry an expiry: refused after it, listed without their secret", async () => {
    const a = app();
    const { headers: admin } = await login(a, "ada", "correct horse");
    const res = await a.request(
      "/api/v1/tokens",
      send("POST", { name: "grafana", role: "viewer", expiresInDays: 30 }, admin),
    );
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; token: string; expiresAt: number };
    expect(created.expiresAt).toBe(clock + 30 * 86_400_000);
    const bearer = { authorization: `Bearer ${created.token}` };
    expect(await things(a, bearer)).toBe(200);
    const listed = JSON.stringify(await (await a.request("/api/v1/tokens", { headers: admin })).json());
    expect(listed).toContain(`"expiresAt":${created.expiresAt}`);
    expect(listed).not.toContain(created.token);

    clock += 30 * 86_400_000;
    const expired = await a.request("/api/v1/things", { headers: bearer });
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { error: string }).error).toMatch(/expired/);
  });

  it("answers a bad expiry with 400 and a message", async () => {
    const a = app();
    const { headers: admin } = await login(a, "ada", "correct horse");
    const res = await a.request(
      "/api/v1/tokens",
      send("POST", { name: "x", role: "viewer", expiresInDays: 0 }, admin),
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/^expiresInDays: /);
  });
});

describe("audit log", () => {
  it("filters by user, action and time range, pages with next, and lists the actions", async () => {
    const a = app();
    const { headers: admin } = await login(a, "ada", "correct horse");
    const start = clock;
    for (let i = 0; i < 5; i++) {
      clock = start + (i + 1) * 60_000;
      await login(a, "otto", i % 2 ? "operator pw" : "wrong password");
    }
    const otto = await auditEntries(a, admin, "?actor=otto&action=login");
    expect(otto.entries).toHaveLength(5);
    const range = `?actor=otto&since=${start + 2 * 60_000}&until=${start + 4 * 60_000}`;
    expect((await auditEntries(a, admin, range)).entries).toHaveLength(2);

    const first = await auditEntries(a, admin, "?actor=otto&limit=2");
    expect(first.entries).toHaveLength(2);
    const second = await auditEntries(a, admin, `?actor=otto&limit=2&before=${first.next}`);
    const third = await auditEntries(a, admin, `?actor=otto&limit=2&before=${second.next}`);
    expect(third.entries).toHaveLength(1);
    expect(third.next).toBeUndefined();
    const ids = [...first.entries, ...second.entries, ...third.entries].map((e) => e.id);
    expect(new Set(ids).size).toBe(5);

    const actions = (await (await a.request("/api/v1/audit/actions", { headers: admin })).json()) as {
      actions: string[];
    };
    expect(actions.actions).toEqual(["login"]);
    const bad = await a.request("/api/v1/audit?since=yesterday", { headers: admin });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^since: /);
  });

  it("exports the filtered log as CSV through a route, and audits the export", async () => {
    const a = app();
    const { headers: admin } = await login(a, "ada", "correct horse");
    await login(a, "otto", "wrong password");
    const res = await a.request("/api/v1/audit.csv?actor=otto", { headers: admin });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const day = new Date(clock).toISOString().slice(0, 10);
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="tidegate-audit-${day}.csv"`);
    const lines = (await res.text()).trimEnd().split("\r\n");
    expect(lines).toEqual([
      "time,actor,action,target,detail,address,outcome",
      `${new Date(clock).toISOString()},otto,login,,wrong user name or password,local,failed`,
    ]);
    const exported = (await auditEntries(a, admin, "?action=audit.export")).entries;
    expect(exported.map((e) => e.detail)).toEqual(["1 entries actor=otto"]);
    expect((await a.request("/api/v1/audit.csv?limit=5", { headers: admin })).status).toBe(400);
  });

  it("quotes CSV fields and defuses formulas", () => {
    expect(csvField('say "hi", then')).toBe('"say ""hi"", then"');
    expect(csvField("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvField("plain")).toBe("plain");
    const csv = auditCsv([
      { id: 1, at: 0, actor: "a", action: "x", target: null, detail: "line\nbreak", ip: null, ok: true },
    ]);
    expect(csv).toBe(
      'time,actor,action,target,detail,address,outcome\r\n1970-01-01T00:00:00.000Z,a,x,,"line\nbreak",,ok\r\n',
    );
  });
});
