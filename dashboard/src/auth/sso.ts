/** What GET /api/v1/auth/config says about single sign-on: the provider's name and where to start. */
export interface SsoOffer {
  name: string;
  start: string;
}

/** The single sign-on this server offers, if any; a server without the endpoint offers none. */
export async function fetchSsoOffer(): Promise<SsoOffer | null> {
  try {
    const res = await fetch("api/v1/auth/config", { headers: { accept: "application/json" } });
    if (!res.ok) return null;
    const body = (await res.json()) as { sso?: SsoOffer | null };
    return body.sso && typeof body.sso.name === "string" && typeof body.sso.start === "string"
      ? body.sso
      : null;
  } catch {
    return null;
  }
}

/**
 * The reason a single sign-on failed, which the server's callback puts in `?sso_error=`; taken
 * out of the address bar once read, so a reload does not show it again.
 */
export function takeSsoError(
  loc: Location = window.location,
  history: History = window.history,
): string | undefined {
  const params = new URLSearchParams(loc.search);
  const error = params.get("sso_error");
  if (error === null) return undefined;
  params.delete("sso_error");
  const rest = params.toString();
  history.replaceState(null, "", `${loc.pathname}${rest ? `?${rest}` : ""}${loc.hash}`);
  return error;
}
