/** How to reach InfluxDB, from the collector options. */
export interface InfluxSettings {
  url: string;
  /** v2: /api/v2/write (InfluxDB 2.x, 3.x, Cloud, 1.8+); v1: /write (InfluxDB 1.x). Queries use /query either way. */
  api: "v1" | "v2";
  /** The v1 database, or the v2 bucket (queried through its DBRP mapping). */
  db: string;
  org?: string;
  token?: string;
  user?: string;
  password?: string;
  /** v1 retention policy to write to and query; default: the database's default policy. */
  retentionPolicy?: string;
  /** Per HTTP request. */
  timeoutMs?: number;
}

/** Credentials as HTTP headers: a token (v2, 3.x, v1 compatibility) or v1 user and password. */
export function authHeaders(s: Pick<InfluxSettings, "token" | "user" | "password">): Record<string, string> {
  if (s.token) return { Authorization: `Token ${s.token}` };
  if (s.user)
    return { Authorization: `Basic ${Buffer.from(`${s.user}:${s.password ?? ""}`).toString("base64")}` };
  return {};
}

/** The base URL without a trailing slash, so paths can be appended. */
export const baseUrl = (s: Pick<InfluxSettings, "url">) => s.url.replace(/\/+$/, "");
