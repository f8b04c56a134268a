import type { Context } from "hono";
import { setCookie } from "hono/cookie";
import { CSRF_COOKIE, SESSION_COOKIE } from "./middleware.js";

/** Cookies marked Secure only over HTTPS: plant panels often reach the agent over plain HTTP. */
export const isHttps = (c: Context) =>
  c.req.url.startsWith("https:") || c.req.header("x-forwarded-proto") === "https";

/** The session cookie and its CSRF twin, the same for a password login and a single sign-on. */
export function setSessionCookies(c: Context, session: { jwt: string; csrf: string; maxAge: number }) {
  const secure = isHttps(c);
  setCookie(c, SESSION_COOKIE, session.jwt, {
    httpOnly: true,
    sameSite: "Strict",
    secure,
    path: "/",
    maxAge: session.maxAge,
  });
  // Readable by the page, so a reload can still send the CSRF header.
  setCookie(c, CSRF_COOKIE, session.csrf, { sameSite: "Strict", secure, path: "/", maxAge: session.maxAge });
}
