import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Agents and collectors started by the tests accept this API token (admin), provisioned through
 * TIDEGATE_API_TOKEN_FILE as a deployment would: tests read their APIs as a script would, with
 * `Authorization: Bearer`. Set up for every e2e and fault test file by setup-auth.ts.
 */
export const TEST_API_TOKEN = "tg_e2e-test-token-not-secret-0123456789";
export const authHeaders = { authorization: `Bearer ${TEST_API_TOKEN}` };

/** Writes the token file and points the environment (inherited by every child process) at it. */
export function provideTestToken(): string {
  const file = join(mkdtempSync(join(tmpdir(), "tidegate-token-")), "api-token");
  writeFileSync(file, `${TEST_API_TOKEN}\n`, { mode: 0o600 });
  process.env.TIDEGATE_API_TOKEN_FILE = file;
  return file;
}

/** fetch() with the test token. */
export const apiFetch = (url: string | URL, init: RequestInit = {}) =>
  fetch(url, { ...init, headers: { ...authHeaders, ...(init.headers as Record<string, string>) } });
