import type { AuditEntry, TokenEntry } from "@tidegate/protocol";
import { announceSignedOut, type Role, writeHeaders } from "../auth/session.js";
import { t } from "../i18n.js";

export interface AdminUser {
  name: string;
  role: Role;
  createdAt: number;
  disabledAt: number | null;
}
export type AdminToken = TokenEntry;
export type AuditRow = AuditEntry;
export interface SessionEntry {
  id: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  ip: string | null;
  agent: string | null;
  current: boolean;
}
export interface AuditFilter {
  actor?: string;
  action?: string;
  since?: number;
  until?: number;
}

/** One admin API call; a refusal throws the server's own message (it says what to fix). */
async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: method === "GET" ? { accept: "application/json" } : writeHeaders(),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.status === 401) announceSignedOut();
  const data = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (!res.ok) throw new Error(data.error ?? t.httpError(res.status));
  return data;
}

/** The audit filter as a query string, for the page and the CSV export alike. */
export function auditParams(f: AuditFilter, extra: Record<string, string | number | undefined> = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...f, ...extra }))
    if (v !== undefined && v !== "") q.set(k, String(v));
  return q.toString();
}

const user = (name: string) => `api/v1/users/${encodeURIComponent(name)}`;

export const adminApi = {
  users: async () => (await call<{ users: AdminUser[] }>("GET", "api/v1/users")).users,
  addUser: (name: string, role: Role, password: string) =>
    call("POST", "api/v1/users", { name, role, password }),
  changeUser: (name: string, change: { role?: Role; password?: string; disabled?: boolean }) =>
    call("PATCH", user(name), change),
  tokens: async () => (await call<{ tokens: AdminToken[] }>("GET", "api/v1/tokens")).tokens,
  createToken: (name: string, role: Role, expiresInDays?: number) =>
    call<{ id: string; token: string }>("POST", "api/v1/tokens", { name, role, expiresInDays }),
  revokeToken: (id: string) => call("DELETE", `api/v1/tokens/${encodeURIComponent(id)}`),
  audit: (f: AuditFilter, before?: number) =>
    call<{ entries: AuditRow[]; next?: number }>(
      "GET",
      `api/v1/audit?${auditParams(f, { before, limit: 50 })}`,
    ),
  auditActions: async () => (await call<{ actions: string[] }>("GET", "api/v1/audit/actions")).actions,
  sessions: async (name: string) =>
    (await call<{ sessions: SessionEntry[] }>("GET", `${user(name)}/sessions`)).sessions,
  endSession: (name: string, id: string) =>
    call("DELETE", `${user(name)}/sessions/${encodeURIComponent(id)}`),
  endSessions: (name: string) => call("DELETE", `${user(name)}/sessions`),
};
