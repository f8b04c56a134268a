import type { NotifyEvent } from "./event.js";
import { permanent } from "./notifier.js";

export interface WebhookSend {
  url: string;
  /** Header values already read from their secrets. */
  headers: Record<string, string>;
  timeoutMs: number;
}

/** Why fetch failed, in the words an operator looks for (ECONNREFUSED, ENOTFOUND, a timeout). */
function describeFetchError(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError" || e.name === "AbortError") return `no answer within ${timeoutMs} ms`;
  return e.cause?.code ?? e.cause?.message ?? e.message;
}

/**
 * POSTs one event as JSON. A 2xx answer is delivered; 408, 429 and 5xx are worth another try; any
 * other answer means the request itself is wrong (URL, token), so it is not retried.
 */
export async function postEvent(w: WebhookSend, e: NotifyEvent): Promise<void> {
  let res: Response;
  try {
    res = await fetch(w.url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "tidegate-agent", ...w.headers },
      body: JSON.stringify(e),
      signal: AbortSignal.timeout(w.timeoutMs),
    });
  } catch (err) {
    throw new Error(`POST ${safeUrl(w.url)}: ${describeFetchError(err, w.timeoutMs)}`);
  }
  // The body is not used; reading it to the end frees the connection.
  await res.arrayBuffer().catch(() => undefined);
  if (res.ok) return;
  const message = `POST ${safeUrl(w.url)}: HTTP ${res.status}`;
  if (res.status === 408 || res.status === 429 || res.status >= 500) throw new Error(message);
  throw permanent(`${message}; check the URL and headers (not retried)`);
}

/** The url without user info or query (which may hold a token), for errors and logs. */
export function safeUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}
