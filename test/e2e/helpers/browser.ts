import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { authHeaders } from "./auth.js";

/** Debian's Chromium, headless; the flags keep it from reaching for the internet at start. */
export async function launchChromium(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  // Pages from newPage() read the APIs with the tests' token, as a kiosk set up with one would;
  // the sign-in flow itself is tested on pages from newContext(), which carry nothing.
  const newPage = browser.newPage.bind(browser);
  browser.newPage = (options = {}) =>
    newPage({ ...options, extraHTTPHeaders: { ...authHeaders, ...options.extraHTTPHeaders } });
  return browser;
}

/** Where browser tests leave screenshots for a person to look at (git-ignored); overwritten each run. */
export const ARTIFACTS_DIR = fileURLToPath(new URL("../../artifacts", import.meta.url));

/** A full-page screenshot as test/artifacts/<name>.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
