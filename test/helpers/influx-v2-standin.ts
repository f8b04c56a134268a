import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

/**
 * A stand-in for InfluxDB 2.x's write API (POST /api/v2/write) on a real HTTP server: it checks
 * the token, org, bucket and precision, parses line protocol strictly, keeps the points, and
 * answers as InfluxDB 2.x does: 204, 400 with a JSON message, 401, or (on demand) 429 with
 * Retry-After and 503. The v2 writer is tested against it; the v1 path against a real influxd.
 */

export type FieldValue = number | string | boolean;
export interface StoredPoint {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, FieldValue>;
  /** Integer fields as written (`42i`) are told apart from floats here. */
  intFields: string[];
  ts: number;
}
export interface Failure {
  status: 429 | 500 | 503 | 400 | 422;
  retryAfterSeconds?: number;
  message?: string;
}
export interface WriteRequest {
  status: number;
  gzip: boolean;
  lines: number;
}

export class LineProtocolError extends Error {}

/** Splits at `sep` outside quotes, honouring backslash escapes. */
function split(text: string, sep: string, quotes: boolean): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "\\" && i + 1 < text.length) {
      current += c + text[i + 1];
      i++;
    } else if (quotes && c === '"') {
      quoted = !quoted;
      current += c;
    } else if (c === sep && !quoted) {
      parts.push(current);
      current = "";
    } else current += c;
  }
  if (quoted) throw new LineProtocolError("unterminated string");
  parts.push(current);
  return parts;
}

const unescapeLp = (s: string) => s.replace(/\\([ ,="\\])/g, "$1");

function fieldValue(raw: string): { value: FieldValue; int: boolean } {
  if (raw.startsWith('"')) {
    if (!raw.endsWith('"') || raw.length < 2) throw new LineProtocolError(`invalid string field ${raw}`);
    return { value: raw.slice(1, -1).replace(/\\(["\\])/g, "$1"), int: false };
  }
  if (/^-?\d+i$/.test(raw)) return { value: Number(raw.slice(0, -1)), int: true };
  if (/^(t|T|true|True|TRUE)$/.test(raw)) return { value: true, int: false };
  if (/^(f|F|false|False|FALSE)$/.test(raw)) return { value: false, int: false };
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) return { value: Number(raw), int: false };
  throw new LineProtocolError(`invalid field value ${raw}`);
}

/** One line of line protocol, strictly: measurement[,tag=v...] field=v[,field=v...] timestamp. */
export function parseLine(line: string): StoredPoint {
  const sections = split(line, " ", true);
  if (sections.length !== 3) throw new LineProtocolError(`expected 3 sections, got ${sections.length}`);
  const [head, fieldText, tsText] = sections as [string, string, string];
  const [measurement, ...tagParts] = split(head, ",", false);
  if (!measurement) throw new LineProtocolError("missing measurement");
  const tags: Record<string, string> = {};
  for (const t of tagParts) {
    const kv = split(t, "=", false);
    if (kv.length !== 2 || !kv[0] || !kv[1]) throw new LineProtocolError(`invalid tag ${t}`);
    tags[unescapeLp(kv[0])] = unescapeLp(kv[1]);
  }
  const fields: Record<string, FieldValue> = {};
  const intFields: string[] = [];
  for (const f of split(fieldText, ",", true)) {
    const at = f.search(/(?<!\\)=/);
    if (at <= 0) throw new LineProtocolError(`invalid field ${f}`);
    const key = unescapeLp(f.slice(0, at));
    const { value, int } = fieldValue(f.slice(at + 1));
    fields[key] = value;
    if (int) intFields.push(key);
  }
  if (!/^-?\d+$/.test(tsText)) throw new LineProtocolError(`invalid timestamp ${tsText}`);
  return { measurement: unescapeLp(measurement), tags, fields, intFields, ts: Number(tsText) };
}

export interface InfluxV2StandIn {
  url: string;
  token: string;
  org: string;
  bucket: string;
  /** Stored points; a point with the same measurement, tags and time replaces the older one, as in InfluxDB. */
  points(): StoredPoint[];
  requests: WriteRequest[];
  /** The next writes fail like this, one failure per request, in order. */
  failNext(...failures: Failure[]): void;
  close(): Promise<void>;
}

export async function startInfluxV2StandIn(
  o: { token?: string; org?: string; bucket?: string } = {},
): Promise<InfluxV2StandIn> {
  const token = o.token ?? "standin-token";
  const org = o.org ?? "tidegate-org";
  const bucket = o.bucket ?? "tidegate";
  const stored = new Map<string, StoredPoint>();
  const requests: WriteRequest[] = [];
  const failures: Failure[] = [];

  function answer(res: ServerResponse, status: number, body?: object, headers: Record<string, string> = {}) {
    res.writeHead(status, body ? { "Content-Type": "application/json; charset=utf-8", ...headers } : headers);
    res.end(body ? JSON.stringify(body) : undefined);
    return status;
  }

  function write(req: IncomingMessage, res: ServerResponse, raw: Buffer): number {
    const url = new URL(req.url ?? "/", "http://x");
    if (req.headers.authorization !== `Token ${token}`)
      return answer(res, 401, { code: "unauthorized", message: "unauthorized access" });
    if (url.searchParams.get("org") !== org)
      return answer(res, 404, {
        code: "not found",
        message: `organization name "${url.searchParams.get("org")}" not found`,
      });
    if (url.searchParams.get("bucket") !== bucket)
      return answer(res, 404, {
        code: "not found",
        message: `bucket "${url.searchParams.get("bucket")}" not found`,
      });
    if (url.searchParams.get("precision") !== "ms")
      return answer(res, 400, { code: "invalid", message: "this stand-in expects precision=ms" });
    const failure = failures.shift();
    if (failure) {
      const headers: Record<string, string> =
        failure.retryAfterSeconds === undefined ? {} : { "Retry-After": String(failure.retryAfterSeconds) };
      const code =
        failure.status === 429 ? "too many requests" : failure.status >= 500 ? "internal error" : "invalid";
      return answer(
        res,
        failure.status,
        { code, message: failure.message ?? `injected ${failure.status}` },
        headers,
      );
    }
    const body = req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw;
    const parsed: StoredPoint[] = [];
    for (const line of body.toString("utf8").split("\n")) {
      if (line.trim() === "") continue;
      try {
        parsed.push(parseLine(line));
      } catch (err) {
        return answer(res, 400, {
          code: "invalid",
          message: `unable to parse '${line}': ${(err as Error).message}`,
        });
      }
    }
    for (const p of parsed) {
      const key = `${p.measurement},${JSON.stringify(Object.entries(p.tags).sort())},${p.ts}`;
      const old = stored.get(key);
      stored.set(key, old ? { ...p, fields: { ...old.fields, ...p.fields } } : p);
    }
    return answer(res, 204);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      if (req.method !== "POST" || !req.url?.startsWith("/api/v2/write?"))
        return void answer(res, 404, { code: "not found", message: "path not found" });
      const status = write(req, res, raw);
      requests.push({
        status,
        gzip: req.headers["content-encoding"] === "gzip",
        lines:
          raw.length === 0
            ? 0
            : (req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw).toString().split("\n")
                .length,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    org,
    bucket,
    points: () => [...stored.values()],
    requests,
    failNext: (...f) => void failures.push(...f),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
