import { TidegateError } from "@tidegate/protocol";
import { type QueryResponse, queryResponseSchema, type StatementResult } from "./influxql.js";
import { authHeaders, baseUrl, type InfluxSettings } from "./settings.js";

export class InfluxQueryError extends TidegateError {
  override name = "InfluxQueryError";
  readonly code = "influx.query";
}

function message(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; message?: unknown };
    const text = parsed.error ?? parsed.message;
    if (typeof text === "string") return `HTTP ${status}: ${text}`;
  } catch {
    // not JSON: the body itself says what went wrong
  }
  return `HTTP ${status}: ${body.slice(0, 300) || "no message"}`;
}

/**
 * InfluxQL over the v1 `/query` endpoint, which InfluxDB 1.x, 2.x (through DBRP mappings) and 3.x
 * answer alike. Reads go as GET; statements that change things (CREATE, ALTER) must be POST.
 * Timestamps come back as epoch milliseconds.
 */
export function createInfluxQL(s: InfluxSettings) {
  const endpoint = `${baseUrl(s)}/query`;
  const headers = authHeaders(s);

  return {
    async query(
      q: string,
      options: { method?: "GET" | "POST"; database?: boolean } = {},
    ): Promise<StatementResult[]> {
      const params = new URLSearchParams({ q, epoch: "ms" });
      if (options.database !== false) params.set("db", s.db);
      if (s.retentionPolicy && options.database !== false) params.set("rp", s.retentionPolicy);
      const method = options.method ?? "GET";
      let res: Response;
      try {
        res = await fetch(method === "GET" ? `${endpoint}?${params}` : endpoint, {
          method,
          headers:
            method === "GET" ? headers : { ...headers, "Content-Type": "application/x-www-form-urlencoded" },
          body: method === "GET" ? undefined : params,
          signal: AbortSignal.timeout(s.timeoutMs ?? 10_000),
        });
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause?.code;
        throw new InfluxQueryError(
          `InfluxDB query at ${endpoint} failed: ${cause ?? (err as Error).message}; is InfluxDB running there?`,
        );
      }
      const body = await res.text();
      if (!res.ok) throw new InfluxQueryError(`InfluxDB query at ${endpoint}: ${message(res.status, body)}`);
      let parsed: QueryResponse;
      try {
        parsed = queryResponseSchema.parse(JSON.parse(body));
      } catch {
        throw new InfluxQueryError(`InfluxDB query at ${endpoint}: unexpected answer ${body.slice(0, 200)}`);
      }
      if (parsed.error) throw new InfluxQueryError(`InfluxDB query: ${parsed.error}`);
      const results = parsed.results ?? [];
      const failed = results.find((r) => r.error);
      if (failed) throw new InfluxQueryError(`InfluxDB query: ${failed.error}`);
      return results;
    },
  };
}

export type InfluxQL = ReturnType<typeof createInfluxQL>;
