import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { startProcess } from "./process.js";

/**
 * Adds a user with the program's own CLI (`user add`), its password in a file in `dir`.
 * `where` names the program's store: ["--config", agentConfigFile] or ["--data-dir", collectorDir].
 */
export async function addUserByCli(o: {
  cli: string;
  where: [string, string];
  dir: string;
  name: string;
  role: "viewer" | "operator" | "admin";
  password: string;
}): Promise<void> {
  const file = join(o.dir, `${o.name}-pw`);
  writeFileSync(file, `${o.password}\n`);
  const add = startProcess("node", [
    o.cli,
    "user",
    "add",
    o.name,
    "--role",
    o.role,
    "--password-file",
    file,
    ...o.where,
  ]);
  const code = await new Promise((resolve) => add.child.once("exit", resolve));
  if (code !== 0) throw new Error(`user add ${o.name} exited with ${code}: ${add.output()}`);
}

/** A new signed-out context (no test token), signed in through the form; the caller closes the context. */
export async function signInPage(
  browser: Browser,
  url: string,
  name: string,
  password: string,
  viewport = { width: 360, height: 740 },
): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(url);
  await page.getByLabel("User name").fill(name);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("signed-in-as").waitFor({ timeout: 10_000 });
  return page;
}

/**
 * An admin added to a running agent with its CLI and signed in on its dashboard, on the
 * commissioning tab: where the technician's tests start. The caller closes the page's context.
 */
export async function adminOnCommissioning(
  browser: Browser,
  agent: { url: string; dir: string; configFile: string },
  o: { cli: string; viewport: { width: number; height: number } },
): Promise<Page> {
  const password = "commissioning admin";
  await addUserByCli({
    cli: o.cli,
    where: ["--config", agent.configFile],
    dir: agent.dir,
    name: "ada",
    role: "admin",
    password,
  });
  const page = await signInPage(browser, agent.url, "ada", password, o.viewport);
  await page.getByTestId("tab-commission").click();
  return page;
}
