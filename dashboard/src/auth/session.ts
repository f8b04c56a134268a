import { useEffect, useState } from "preact/hooks";
import { t } from "../i18n.js";

export type Role = "viewer" | "operator" | "admin";
export interface Me {
  name: string;
  role: Role;
  via: "session" | "token" | "anonymous";
}

/** Fired when an API call answers 401: the session ended (expired, signed out elsewhere, password changed). */
export const SIGNED_OUT_EVENT = "tidegate:signed-out";
export const announceSignedOut = () => window.dispatchEvent(new Event(SIGNED_OUT_EVENT));

/** The session's CSRF token, from the cookie the server set beside the HttpOnly session cookie. */
export function csrfToken(
  cookies = typeof document === "undefined" ? "" : document.cookie,
): string | undefined {
  for (const part of cookies.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === "tidegate_csrf") return decodeURIComponent(value.join("="));
  }
  return undefined;
}

/** Headers for a write (POST/PUT/PATCH/DELETE) made with the session cookie. */
export function writeHeaders(): Record<string, string> {
  const csrf = csrfToken();
  return {
    "content-type": "application/json",
    accept: "application/json",
    ...(csrf ? { "x-csrf-token": csrf } : {}),
  };
}

export async function fetchMe(): Promise<Me | null> {
  const res = await fetch("api/v1/auth/me", { headers: { accept: "application/json" } });
  if (res.status === 401) return null;
  if (!res.ok) throw new Error(t.httpError(res.status));
  return (await res.json()) as Me;
}

/** Signs in; throws an Error whose message is for the person at the login form. */
export async function signIn(user: string, password: string): Promise<Me> {
  let res: Response;
  try {
    res = await fetch("api/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user, password }),
    });
  } catch {
    throw new Error(t.networkError);
  }
  if (res.status === 401) throw new Error(t.auth.wrongCredentials);
  if (res.status === 429)
    throw new Error(t.auth.tooManyAttempts(Number(res.headers.get("retry-after") ?? 60)));
  if (!res.ok) throw new Error(t.httpError(res.status));
  const body = (await res.json()) as Me;
  return { name: body.name, role: body.role, via: "session" };
}

export async function signOut(): Promise<void> {
  await fetch("api/v1/auth/logout", { method: "POST", headers: writeHeaders() }).catch(() => undefined);
}

export type SessionState =
  | { state: "checking" }
  | { state: "signed-out"; error?: string }
  | { state: "signed-in"; me: Me };

/** Who is signed in; goes back to the login form when any API call finds the session gone. */
export function useSession() {
  const [session, setSession] = useState<SessionState>({ state: "checking" });
  useEffect(() => {
    let alive = true;
    const check = () =>
      fetchMe()
        .then((me) => alive && setSession(me ? { state: "signed-in", me } : { state: "signed-out" }))
        .catch((err: Error) => alive && setSession({ state: "signed-out", error: err.message }));
    void check();
    const onSignedOut = () => setSession({ state: "signed-out" });
    window.addEventListener(SIGNED_OUT_EVENT, onSignedOut);
    return () => {
      alive = false;
      window.removeEventListener(SIGNED_OUT_EVENT, onSignedOut);
    };
  }, []);
  return {
    session,
    signedIn: (me: Me) => setSession({ state: "signed-in", me }),
    signOut: async () => {
      await signOut();
      setSession({ state: "signed-out" });
    },
  };
}
