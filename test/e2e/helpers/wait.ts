import { apiFetch } from "./auth.js";

/**
 * Polls `check` until it returns a value other than undefined/false, or fails with `what` after the
 * timeout. `what` may be a function, evaluated only on timeout, so the message can carry process
 * output as it was when the wait gave up rather than when it began.
 */
export async function waitFor<T>(
  what: string | (() => string),
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const result = await check();
      if (result !== undefined && result !== false) return result;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${typeof what === "function" ? what() : what}${lastError ? ` (last error: ${(lastError as Error).message})` : ""}`,
  );
}

/** GET a JSON document with the tests' API token (see auth.ts). */
export async function getJson<T = unknown>(url: string): Promise<T> {
  const res = await apiFetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
