/** Viewers read; operators also act on the plant (acknowledge, write, apply config); admins manage users and tokens. */
export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const roleAtLeast = (have: Role, need: Role) => ROLES.indexOf(have) >= ROLES.indexOf(need);

/** The role just below `role`, for tests that prove a route refuses it. */
export const roleBelow = (role: Role): Role | undefined => ROLES[ROLES.indexOf(role) - 1];

/** Who made a request: a signed-in user, an API token, or an anonymous panel (when allowed). */
export interface Principal {
  name: string;
  role: Role;
  via: "session" | "token" | "anonymous";
  /** The session's CSRF secret: cookie-authenticated writes must echo it in a header. */
  csrf?: string;
  tokenId?: string;
  /** Set for a single sign-on session: its id in the SSO session store (no local account behind it). */
  sessionId?: string;
  /** The session's row in the sessions table, which an admin may end (signing out ends it too). */
  sessionRow?: string;
}
