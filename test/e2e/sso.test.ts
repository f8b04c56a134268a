import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestIdp, type TestIdp } from "../helpers/oidc-provider.js";
import { launchChromium, screenshot } from "./helpers/browser.js";
import { type NatsServer, startNatsServer } from "./helpers/nats.js";
import { freePort } from "./helpers/ports.js";
import { type Restartable, startCollector } from "./helpers/tidegate.js";

// Single sign-on as a person does it: the fleet dashboard's button, the IdP's form, back signed in.

let nats: NatsServer;
let idp: TestIdp;
let collector: Restartable;

beforeAll(async () => {
  nats = await startNatsServer();
  const port = await freePort();
  idp = await startTestIdp({
    redirectUrl: `http://127.0.0.1:${port}/api/v1/auth/oidc/callback`,
    users: { otto: { groups: ["plant-ops"] }, mona: { groups: ["marketing"] } },
  });
  collector = await startCollector(nats.url, {
    port,
    env: {
      TIDEGATE_OIDC_ISSUER: idp.issuer,
      TIDEGATE_OIDC_CLIENT_ID: idp.clientId,
      TIDEGATE_OIDC_CLIENT_SECRET: idp.clientSecret,
      TIDEGATE_OIDC_REDIRECT_URL: `http://127.0.0.1:${port}/api/v1/auth/oidc/callback`,
      TIDEGATE_OIDC_NAME: "Test IdP",
      TIDEGATE_OIDC_ROLES: "tidegate-admins=admin,plant-ops=operator",
    },
  });
});
afterAll(async () => {
  await collector?.stop();
  await idp?.close();
  await nats?.dispose();
});

describe("single sign-on in the fleet dashboard", () => {
  it("walks the OpenID Connect login into the fleet view, and shows a refusal on the login form", async () => {
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      // The test IdP's development login page imports a web font; nothing here reaches the internet.
      await context.route(/^https:\/\/fonts\./, (route) => route.abort());
      const page = await context.newPage();
      await page.goto(collector.url);
      const button = page.getByRole("link", { name: "Sign in with Test IdP" });
      await button.waitFor();
      // The local form stays beside it, for the break-glass admin.
      await page.getByLabel("User name").waitFor();
      await screenshot(page, "sso-login-form");

      await button.click();
      await page.waitForURL((u) => u.origin === idp.issuer);
      await page.locator('input[name="login"]').fill("otto");
      await page.locator('input[name="password"]').fill("any password");
      await screenshot(page, "sso-idp-form");
      await page.locator('button[type="submit"]').click();

      await page.waitForURL((u) => u.origin === collector.url);
      await page.getByTestId("signed-in-as").waitFor();
      expect(await page.getByTestId("signed-in-as").textContent()).toBe("otto (operator)");
      expect((await context.cookies()).find((c) => c.name === "tidegate_session")).toMatchObject({
        httpOnly: true,
        sameSite: "Strict",
      });
      await screenshot(page, "sso-fleet-signed-in");
      await page.getByRole("button", { name: "Sign out" }).click();
      await button.waitFor();

      // mona's groups map to no role: she comes back to the login form with the reason. The IdP
      // still remembers otto, so its cookies go first.
      await context.clearCookies();
      await page.goto(collector.url);
      await button.click();
      await page.locator('input[name="login"]').fill("mona");
      await page.locator('input[name="password"]').fill("any password");
      await page.locator('button[type="submit"]').click();
      await page.waitForURL((u) => u.origin === collector.url);
      await page.getByRole("alert").waitFor();
      expect(await page.getByRole("alert").textContent()).toBe(
        "Single sign-on failed: none of groups [marketing] maps to a Tidegate role",
      );
      expect(page.url()).not.toContain("sso_error");
      await screenshot(page, "sso-refused");
    } finally {
      await browser.close();
    }
  });
});
