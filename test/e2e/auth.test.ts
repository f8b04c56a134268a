import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiFetch } from "./helpers/auth.js";
import { launchChromium, screenshot } from "./helpers/browser.js";
import { type NatsServer, startNatsServer } from "./helpers/nats.js";
import { startProcess } from "./helpers/process.js";
import { agentCli, collectorCli, type Restartable, startAgent, startCollector } from "./helpers/tidegate.js";

// Users, roles and tokens as an admin sets them up: the CLIs on the machine, against running programs.

const dir = mkdtempSync(join(tmpdir(), "tidegate-auth-e2e-"));
let nats: NatsServer;
let collector: Restartable;

async function run(cli: string, args: string[]) {
  const proc = startProcess("node", [cli, ...args]);
  const code = await new Promise((resolve) => proc.child.once("exit", resolve));
  return { code, output: proc.output() };
}

async function login(url: string, user: string, password: string) {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user, password }),
  });
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  return { status: res.status, cookie, body: (await res.json()) as { role?: string; csrf?: string } };
}

beforeAll(async () => {
  nats = await startNatsServer();
  writeFileSync(join(dir, "admin-pw"), "first admin password\n");
  collector = await startCollector(nats.url, {
    env: { TIDEGATE_ADMIN_USER: "root-admin", TIDEGATE_ADMIN_PASSWORD_FILE: join(dir, "admin-pw") },
  });
});
afterAll(async () => {
  await collector?.stop();
  await nats?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe("collector accounts", () => {
  it("is closed to anonymous callers, open to health checks", async () => {
    expect((await fetch(`${collector.url}/api/v1/gateways`)).status).toBe(401);
    expect((await fetch(`${collector.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
    expect((await apiFetch(`${collector.url}/api/v1/gateways`)).status).toBe(200);
  });

  it("creates the first admin from the environment; the CLI adds users the running collector accepts", async () => {
    expect((await login(collector.url, "root-admin", "first admin password")).body.role).toBe("admin");
    writeFileSync(join(dir, "vpw"), "viewer password\n");
    const add = await run(collectorCli, [
      "user",
      "add",
      "vic",
      "--role",
      "viewer",
      "--password-file",
      join(dir, "vpw"),
      "--data-dir",
      collector.dir,
    ]);
    expect(add.output).toContain("added vic (viewer)");
    expect(add.code).toBe(0);
    const vic = await login(collector.url, "vic", "viewer password");
    expect(vic.status).toBe(200);
    expect(
      (await fetch(`${collector.url}/api/v1/gateways`, { headers: { cookie: vic.cookie } })).status,
    ).toBe(200);
    const forbidden = await fetch(`${collector.url}/api/v1/users`, { headers: { cookie: vic.cookie } });
    expect(forbidden.status).toBe(403);
    const list = await run(collectorCli, ["user", "list", "--data-dir", collector.dir]);
    expect(list.output).toMatch(/root-admin\tadmin/);
    expect(list.output).toMatch(/vic\tviewer/);
  });

  it("API tokens from the CLI work at once and stop working when revoked", async () => {
    const created = await run(collectorCli, [
      "token",
      "create",
      "grafana",
      "--role",
      "viewer",
      "--data-dir",
      collector.dir,
    ]);
    expect(created.code).toBe(0);
    const token = /tg_[A-Za-z0-9_-]+/.exec(created.output)?.[0] as string;
    const id = /token ([0-9a-f]{8})/.exec(created.output)?.[1] as string;
    const headers = { authorization: `Bearer ${token}` };
    expect((await fetch(`${collector.url}/metrics`, { headers })).status).toBe(200);
    expect((await run(collectorCli, ["token", "revoke", id, "--data-dir", collector.dir])).code).toBe(0);
    expect((await fetch(`${collector.url}/metrics`, { headers })).status).toBe(401);
  });

  it("the audit log shows who did what, for admins", async () => {
    await login(collector.url, "vic", "wrong password!");
    const res = await apiFetch(`${collector.url}/api/v1/audit?limit=100`);
    const { entries } = (await res.json()) as { entries: { actor: string; action: string; ok: boolean }[] };
    const seen = entries.map((e) => `${e.actor} ${e.action} ${e.ok}`);
    expect(seen).toContain("vic login false");
    expect(seen).toContain("vic login true");
    expect(seen).toContain("environment user.add true");
    expect(seen.some((s) => /^cli:\S+ token.revoke true$/.test(s))).toBe(true);
  });

  it("the fleet dashboard asks to sign in, says when the password is wrong, and signs out", async () => {
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(collector.url);
      await page.getByLabel("User name").fill("root-admin");
      await page.getByLabel("Password").fill("not the password");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("alert").waitFor();
      expect(await page.getByRole("alert").textContent()).toBe("Wrong user name or password.");
      await page.getByLabel("Password").fill("first admin password");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByTestId("signed-in-as").waitFor();
      expect(await page.getByTestId("signed-in-as").textContent()).toBe("root-admin (admin)");
      const cookies = await context.cookies();
      expect(cookies.find((c) => c.name === "tidegate_session")).toMatchObject({
        httpOnly: true,
        sameSite: "Strict",
      });
      await screenshot(page, "fleet-signed-in");
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("button", { name: "Sign in" }).waitFor();
      expect((await context.cookies()).find((c) => c.name === "tidegate_session")).toBeUndefined();
    } finally {
      await browser.close();
    }
  });

  it("refuses to start with a provisioning mistake, saying which variable", async () => {
    const proc = startProcess(
      "node",
      [collectorCli, "--nats", nats.url, "--port", "0", "--data-dir", join(dir, "c2")],
      {
        env: { TIDEGATE_ADMIN_USER: "x", TIDEGATE_ADMIN_PASSWORD: "short" },
      },
    );
    const code = await new Promise((resolve) => proc.child.once("exit", resolve));
    expect(code).toBe(2);
    expect(proc.output()).toContain("TIDEGATE_ADMIN_PASSWORD: a password needs at least 8 characters");
  });
});

describe("agent accounts", () => {
  it("init leaves an existing config alone, creates the first admin once, and prints its password once", async () => {
    // The example's buffer lives in /var/lib/tidegate; this config keeps everything in the temp dir
    // (writing a config from the example is tested in agent/src/cli/init.test.ts).
    const config = join(dir, "gw", "agent.yaml");
    mkdirSync(join(dir, "gw"));
    writeFileSync(config, "version: 1\ngateway: gw-1\nbuffer: { path: buffer.db }\ndevices: []\n");
    const first = await run(agentCli, ["init", "--config", config]);
    expect(first.code).toBe(0);
    expect(first.output).toContain("exists, left as it is");
    const password = /password: (\S+)/.exec(first.output)?.[1] as string;
    expect(password.length).toBeGreaterThanOrEqual(12);
    expect(existsSync(join(dir, "gw", "auth.db"))).toBe(true);
    const again = await run(agentCli, ["init", "--config", config]);
    expect(again.output).toContain("has users already");
    expect(again.output).not.toContain("password:");
    const users = await run(agentCli, ["user", "list", "--config", config]);
    expect(users.output).toMatch(/admin\tadmin/);
  });

  it("a trusted panel may read without signing in when configured, but not act", async () => {
    const agent = await startAgent(`version: 1
gateway: panel-1
http: { auth: { anonymous: viewer } }
nats: { servers: ["${nats.url}"] }
buffer: { path: buffer.db }
devices: []
`);
    try {
      expect((await fetch(`${agent.url}/api/v1/status`)).status).toBe(200);
      const ack = await fetch(`${agent.url}/api/v1/alerts/ack`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ rule: "r", device: "d" }),
      });
      expect(ack.status).toBe(403);
      expect((await fetch(`${agent.url}/api/v1/audit`)).status).toBe(403);
    } finally {
      await agent.stop();
    }
  });
});
