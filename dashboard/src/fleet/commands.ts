import type { CommandArgsInput, CommandResult, CommandVerb } from "@tidegate/protocol";
import { announceSignedOut, writeHeaders } from "../auth/session.js";
import { formatCount, formatDuration } from "../format.js";
import { t } from "../i18n.js";

/** Pure helpers and the one fetch for the collector's command route (docs/remote-management.md). */

export const commandPath = (gateway: string, verb: CommandVerb) =>
  `api/v1/gateways/${encodeURIComponent(gateway)}/commands/${verb}`;

export class CommandFailed extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The collector's own words when it gave any (offline → "nothing was sent …"), else the HTTP status. */
export function failureMessage(status: number, body: unknown): string {
  const error = (body as { error?: unknown } | null)?.error;
  return typeof error === "string" && error !== "" ? error : t.httpError(status);
}

/**
 * POSTs JSON to the collector with the CSRF header and answers the parsed body of a 2xx; any
 * failure throws CommandFailed with the message to show (the collector's own words when it gave any).
 */
export async function postJson(
  path: string,
  payload: unknown,
  fetchFn: typeof fetch = fetch,
): Promise<unknown> {
  let res: Response;
  try {
    res = await fetchFn(path, { method: "POST", headers: writeHeaders(), body: JSON.stringify(payload) });
  } catch {
    throw new CommandFailed(t.networkError, 0);
  }
  if (res.status === 401) announceSignedOut();
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) throw new CommandFailed(failureMessage(res.status, body), res.status);
  if (body === null || typeof body !== "object") throw new CommandFailed(t.badResponse, res.status);
  return body;
}

/** Sends one command through the collector and returns the agent's result. */
export async function runCommand<V extends CommandVerb>(
  gateway: string,
  verb: V,
  args: CommandArgsInput<V>,
  fetchFn: typeof fetch = fetch,
): Promise<CommandResult<V>> {
  const body = (await postJson(commandPath(gateway, verb), args, fetchFn)) as { result?: unknown };
  if (!("result" in body)) throw new CommandFailed(t.badResponse, 200);
  return body.result as CommandResult<V>;
}

/**
 * What the operator typed, as the value to write: true/false (or on/off), or a number (a decimal
 * comma is accepted). undefined: neither, and the form says so instead of sending it.
 */
export function parseWriteValue(text: string): number | boolean | undefined {
  const s = text.trim().toLowerCase();
  if (s === "true" || s === "on") return true;
  if (s === "false" || s === "off") return false;
  if (!/^[+-]?(\d+([.,]\d*)?|[.,]\d+)(e[+-]?\d+)?$/.test(s)) return undefined;
  const n = Number(s.replace(",", "."));
  return Number.isFinite(n) ? n : undefined;
}

/** The status facts worth a glance, as label and text; anything missing from an older agent is left out. */
export function statusFacts(status: Record<string, unknown>): { label: string; value: string }[] {
  const s = status as {
    version?: string;
    uptimeS?: number;
    uplink?: { connected?: boolean };
    buffer?: { backlog?: number };
    devices?: { id: string; status?: string }[];
    alerts?: { active?: unknown[] };
  };
  const facts: { label: string; value: string }[] = [];
  if (typeof s.version === "string") facts.push({ label: t.colVersion, value: s.version });
  if (typeof s.uptimeS === "number")
    facts.push({ label: t.commands.uptime, value: formatDuration(s.uptimeS * 1000) });
  if (typeof s.uplink?.connected === "boolean")
    facts.push({ label: t.factUplink, value: s.uplink.connected ? t.connected : t.disconnected });
  if (typeof s.buffer?.backlog === "number")
    facts.push({ label: t.factBacklog, value: t.readings(formatCount(s.buffer.backlog)) });
  if (Array.isArray(s.devices))
    facts.push({
      label: t.commands.devices,
      value:
        s.devices.length === 0
          ? t.noDevices
          : s.devices
              .map((d) => `${d.id}: ${t.deviceStatus[d.status as "ok"] ?? d.status ?? t.noValue}`)
              .join(", "),
    });
  if (Array.isArray(s.alerts?.active))
    facts.push({ label: t.commands.activeAlerts, value: String(s.alerts.active.length) });
  return facts;
}

/** A log line as pino wrote it, shortened to time, level and message; other text is kept as it is. */
export function formatLogLine(line: string): string {
  try {
    const j = JSON.parse(line) as { time?: number; level?: number; msg?: string };
    if (typeof j.msg !== "string") return line;
    const time = typeof j.time === "number" ? new Date(j.time).toISOString().slice(11, 19) : "";
    const level = LEVELS[j.level ?? 0] ?? String(j.level ?? "");
    return `${time} ${level} ${j.msg}`.trim();
  } catch {
    return line;
  }
}
const LEVELS: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};
