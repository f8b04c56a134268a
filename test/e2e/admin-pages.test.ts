import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiFetch } from "./helpers/auth.js";
import { launchChromium, screenshot } from "./helpers/browser.js";
import { type NatsServer, startNatsServer } from "./helpers/nats.js";
import { type Restartable, startAgent, startCollector } from "./helpers/tidegate.js";
import { signInPage } from "./helpers/users.js";

// An admin walks the fleet view's administration pages against a real collector (built dist/,
// real nats-server, auth store on disk), white-labelled from a branding file; Chromium drives it.

const dir = mkdtempSync(join(tmpdir(), "tidegate-admin-e2e-"));
const ADMIN_PASSWORD = "first admin password";
const LOGO =
  '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="24"><rect width="40" height="24" fill="#f2a900"/></svg>';
const DESK = { width: 1280, height: 900 };
let nats: NatsServer;
let collector: Restartable;
let browser: Browser;
let admin: Page;

beforeAll(async () => {
  nats = await startNatsServer();
  writeFileSync(join(dir, "admin-pw"), `${ADMIN_PASSWORD}\n`);
  writeFileSync(join(dir, "acme.svg"), LOGO);
  writeFileSync(
    join(dir, "branding.yaml"),
    [
      "productName: Acme Edge",
      "logo: acme.svg",
      "colors: { primary: '#7a1f5c', accent: '#f2a900' }",
      "footer: { text: Acme support, url: 'https://support.acme.example/' }",
    ].join("\n"),
  );
  collector = await startCollector(nats.url, {
    env: {
      TIDEGATE_ADMIN_USER: "root-admin",
      TIDEGATE_ADMIN_PASSWORD_FILE: join(dir, "admin-pw"),
      TIDEGATE_BRANDING_FILE: join(dir, "branding.yaml"),
    },
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await collector?.stop();
  await nats?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const row = (page: Page, id: string) => page.getByTestId(id);
const auditColumn = (page: Page, column: number) =>
  page.getByTestId("audit-row").evaluateAll((rows, i) => rows.map((r) => r.children[i]?.textContent), column);
const auditActions = (page: Page) => auditColumn(page, 2);

async function login(user: string, password: string) {
  const res = await fetch(`${collector.url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user, password }),
  });
  return res.status;
}

describe("white-label", () => {
  it("the sign-in page and the fleet view carry the integrator's name, logo, colours and footer", async () => {
    const context = await browser.newContext({ viewport: DESK });
    const signIn = await context.newPage();
    await signIn.goto(collector.url);
    await signIn.getByTestId("brand-footer").waitFor();
    await expect.poll(() => signIn.title()).toBe("Acme Edge");
    await context.close();

    admin = await signInPage(browser, collector.url, "root-admin", ADMIN_PASSWORD, DESK);
    const brand = admin.getByTestId("brand");
    expect(await brand.textContent()).toBe("Acme Edge");
    await expect
      .poll(() => brand.locator("img").evaluate((img) => (img as HTMLImageElement).naturalWidth))
      .toBe(40);
    const accent = await admin.evaluate(() =>
      getComputedStyle(document.documentElement).getPropertyValue("--accent").trim(),
    );
    expect(accent).toBe("#7a1f5c");
    const footer = admin.getByTestId("brand-footer");
    expect(await footer.textContent()).toBe("Acme support");
    expect(await footer.getAttribute("href")).toBe("https://support.acme.example/");
    expect(await admin.title()).toBe("Acme Edge");
    await screenshot(admin, "white-label-fleet");
  });

  it("the agent's local view takes the same from its config's branding:", async () => {
    const agent = await startAgent(`
version: 1
gateway: branded-gw
http: { host: 127.0.0.1 }
nats: { servers: ["${nats.url}"] }
buffer: { path: buffer.db }
branding:
  productName: Acme Edge
  logo: ${join(dir, "acme.svg")}
  colors: { primary: "#7a1f5c", accent: "#f2a900" }
  footer: { text: Acme support, url: "https://support.acme.example/" }
devices: []
`);
    try {
      // Pages from newPage() carry the tests' API token, as a kiosk would.
      const page = await browser.newPage({ viewport: DESK });
      await page.goto(agent.url);
      await page.getByTestId("brand-footer").waitFor();
      expect(await page.getByTestId("brand").textContent()).toBe("Acme Edge");
      await expect.poll(() => page.title()).toBe("branded-gw · Acme Edge");
      await expect
        .poll(() =>
          page
            .getByTestId("brand")
            .locator("img")
            .evaluate((img) => (img as HTMLImageElement).naturalWidth),
        )
        .toBe(40);
      await screenshot(page, "white-label-local");
      await page.close();
    } finally {
      await agent.stop();
    }
  });
});

describe("administration pages", () => {
  it("adds a user, changes its role and resets its password", async () => {
    await admin.getByTestId("nav-admin").click();
    await admin.locator('input[name="new-user"]').fill("olga");
    await admin.getByLabel("Role", { exact: true }).selectOption("operator");
    await admin.locator('input[name="new-password"]').fill("olga first password");
    await admin.getByRole("button", { name: "Add user" }).click();
    await row(admin, "user-olga").waitFor();
    await admin.getByLabel("Role olga").selectOption("viewer");
    await expect
      .poll(async () => {
        const users = (await (await apiFetch(`${collector.url}/api/v1/users`)).json()) as {
          users: { name: string; role: string }[];
        };
        return users.users.find((u) => u.name === "olga")?.role;
      })
      .toBe("viewer");
    await row(admin, "user-olga").getByRole("button", { name: "Reset password" }).click();
    await admin.getByLabel("New password olga").fill("olga second password");
    await row(admin, "user-olga").getByRole("button", { name: "Save" }).click();
    await expect.poll(() => login("olga", "olga second password")).toBe(200);
    expect(await login("olga", "olga first password")).toBe(401);
    await screenshot(admin, "admin-users");
  });

  it("lists the user's sessions and signs one out", async () => {
    const olga = await signInPage(browser, collector.url, "olga", "olga second password", DESK);
    await row(admin, "user-olga").getByRole("button", { name: "Sessions" }).click();
    // Two sessions: the API login of the test above and this browser's.
    await expect.poll(() => admin.getByTestId("session-row").count()).toBe(2);
    await screenshot(admin, "admin-sessions");
    const browserRow = admin.getByTestId("session-row").filter({ hasText: "HeadlessChrome" });
    await browserRow.getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => admin.getByTestId("session-row").count()).toBe(1);
    const me = await olga.evaluate(async () => (await fetch("api/v1/auth/me")).status);
    expect(me).toBe(401);
    await admin.getByRole("button", { name: "Sign out everywhere" }).click();
    await admin.getByText("No open sessions.").waitFor();
    await olga.context().close();
  });

  it("creates a token with a role and an expiry, shows its secret once, and revokes it", async () => {
    await admin.getByTestId("admin-tab-tokens").click();
    await admin.locator('input[name="token-name"]').fill("grafana");
    await admin.getByLabel("Role", { exact: true }).selectOption("viewer");
    await admin.locator('select[name="token-expiry"]').selectOption("30");
    await admin.getByRole("button", { name: "Create token" }).click();
    const secret = (await admin.getByTestId("token-secret").textContent()) ?? "";
    expect(secret).toMatch(/^tg_/);
    const asToken = () =>
      fetch(`${collector.url}/api/v1/gateways`, { headers: { authorization: `Bearer ${secret}` } }).then(
        (r) => r.status,
      );
    expect(await asToken()).toBe(200);
    const tokens = JSON.stringify(await (await apiFetch(`${collector.url}/api/v1/tokens`)).json());
    expect(tokens).not.toContain(secret);
    await row(admin, "token-grafana").getByText("active").waitFor();
    await screenshot(admin, "admin-tokens");
    admin.once("dialog", (d) => void d.accept());
    await row(admin, "token-grafana").getByRole("button", { name: "Revoke" }).click();
    await row(admin, "token-grafana").getByText("revoked").waitFor();
    expect(await asToken()).toBe(401);
  });

  it("shows the audit log, filters it by action and user, and exports it as CSV", async () => {
    await admin.getByTestId("admin-tab-audit").click();
    await expect.poll(() => auditActions(admin)).toContain("token.revoke");
    const actions = await auditActions(admin);
    for (const a of ["user.add", "user.change", "session.end", "session.end-all", "token.create"])
      expect(actions).toContain(a);

    await admin.locator('select[name="audit-action"]').selectOption("token.revoke");
    await admin.getByRole("button", { name: "Apply" }).click();
    await expect.poll(() => auditActions(admin)).toEqual(["token.revoke"]);
    await admin.locator('select[name="audit-action"]').selectOption("");
    await admin.locator('input[name="audit-user"]').fill("olga");
    await admin.getByRole("button", { name: "Apply" }).click();
    // Olga's own doings: her sign-ins, the one with her old password failed.
    await expect.poll(async () => new Set(await auditColumn(admin, 1))).toEqual(new Set(["olga"]));
    expect(new Set(await auditActions(admin))).toEqual(new Set(["login"]));
    expect(await admin.getByTestId("audit-row").filter({ hasText: "failed" }).count()).toBeGreaterThan(0);
    const shown = await admin.getByTestId("audit-row").count();
    await screenshot(admin, "admin-audit");

    const [download] = await Promise.all([
      admin.waitForEvent("download"),
      admin.getByTestId("audit-export").click(),
    ]);
    const csv = readFileSync((await download.path()) as string, "utf8")
      .trimEnd()
      .split("\r\n");
    expect(csv[0]).toBe("time,actor,action,target,detail,address,outcome");
    expect(csv.slice(1).every((line) => line.split(",")[1] === "olga")).toBe(true);
    expect(csv).toHaveLength(shown + 1);
    expect(download.suggestedFilename()).toMatch(/^tidegate-audit-\d{4}-\d{2}-\d{2}\.csv$/);
  });

  it("a disabled user cannot sign in", async () => {
    await admin.getByTestId("admin-tab-users").click();
    await row(admin, "user-olga").getByRole("button", { name: "Disable" }).click();
    await row(admin, "user-olga").getByText("disabled").waitFor();
    expect(await login("olga", "olga second password")).toBe(403);
    await row(admin, "user-olga").getByRole("button", { name: "Enable" }).click();
    await expect.poll(() => login("olga", "olga second password")).toBe(200);
  });
});
