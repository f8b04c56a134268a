import { t } from "./i18n.js";

/** Pure formatting helpers: no DOM, no clock (callers pass `now`). */

const formats = new Map<string, Intl.NumberFormat>();

/** A number format in the active language; made once per language and options, as the language can switch. */
function numberFormat(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${t.numberLocale} ${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(t.numberLocale, options);
    formats.set(key, f);
  }
  return f;
}
const decimals = () => numberFormat({ maximumFractionDigits: 3, useGrouping: false });

/** At most 3 decimals; tiny non-zero values keep 3 significant digits instead of collapsing to 0. */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return t.noValue;
  if (!Number.isFinite(n)) return n > 0 ? "∞" : "−∞";
  const abs = Math.abs(n);
  if (abs !== 0 && abs < 0.001) return Number(n.toPrecision(3)).toString();
  if (abs >= 1e15) return n.toExponential(3);
  const s = decimals().format(n);
  return s === "-0" ? "0" : s;
}

export type ReadingValue = number | boolean | string | null | undefined;

/**
 * Digits for a measured number whose resolution nobody stated (a float register, a parsed line):
 * about four significant digits, which is more than most field instruments resolve.
 */
function digitsByMagnitude(abs: number): number {
  if (abs >= 100) return 1;
  if (abs >= 1) return 2;
  return 3;
}

/**
 * A measured number at its resolution: `decimals` digits when the profile tells (its scale, or
 * its `decimals`), else about four significant digits; "3177.7", "90.33", "0.25".
 */
export function formatMeasured(n: number, decimals?: number): string {
  if (
    !Number.isFinite(n) ||
    (n !== 0 && Math.abs(n) < 0.001 && decimals === undefined) ||
    Math.abs(n) >= 1e15
  )
    return formatNumber(n);
  const digits = decimals ?? digitsByMagnitude(Math.abs(n));
  const s = numberFormat({
    minimumFractionDigits: decimals === undefined ? 0 : digits,
    maximumFractionDigits: digits,
    useGrouping: false,
  }).format(n);
  return /^-0([.,]0*)?$/.test(s) ? s.slice(1) : s;
}

/** A reading's value with its unit, e.g. "230.5 V", "on", "—" for no value. */
export function formatValue(value: ReadingValue, unit?: string, decimals?: number): string {
  if (value === null || value === undefined) return t.noValue;
  if (typeof value === "boolean") return value ? t.boolTrue : t.boolFalse;
  if (typeof value === "string") return value;
  const text = formatMeasured(value, decimals);
  return unit && text !== t.noValue ? `${text} ${unit}` : text;
}

/** How long ago `ts` (ms) was, relative to `now` (ms): "3 s ago", "12 min ago". */
export function formatAge(ts: number | null | undefined, now: number): string {
  if (ts === null || ts === undefined) return t.never;
  const s = Math.floor((now - ts) / 1000);
  if (s < 1) return t.justNow;
  if (s < 60) return t.secondsAgo(s);
  if (s < 3600) return t.minutesAgo(Math.floor(s / 60));
  if (s < 86400) return t.hoursAgo(Math.floor(s / 3600));
  return t.daysAgo(Math.floor(s / 86400));
}

/** A span of time: "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return t.durationSeconds(s);
  if (s < 3600) return t.durationMinutes(Math.floor(s / 60));
  if (s < 86400) return t.durationHours(Math.floor(s / 3600), Math.floor((s % 3600) / 60));
  return t.durationDays(Math.floor(s / 86400), Math.floor((s % 86400) / 3600));
}

const counts = () => numberFormat({ maximumFractionDigits: 0 });
const fine = () => numberFormat({ maximumFractionDigits: 1 });

/** A count of things, grouped for reading at a glance: "12,345". */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? counts().format(n) : t.noValue;
}

/** A rate per second: one decimal below 10 ("2.5"), whole numbers above ("1,250"). */
export function formatRate(perS: number): string {
  if (!Number.isFinite(perS)) return t.noValue;
  return (Math.abs(perS) < 10 ? fine : counts)().format(perS);
}

const BYTE_UNITS = ["B", "KB", "MB", "GB"] as const;

/** Binary (1024) byte sizes: "512 B", "1.5 KB", "20 MB". */
export function formatBytes(n: number): string {
  let value = Math.max(0, n);
  let i = 0;
  while (value >= 1024 && i < BYTE_UNITS.length - 1) {
    value /= 1024;
    i++;
  }
  const unit = BYTE_UNITS[i] ?? "B";
  const text =
    i === 0 ? String(Math.round(value)) : value < 10 ? value.toFixed(1) : String(Math.round(value));
  return t.bytes(text, unit);
}

/** 0..1 as a percentage with at most one decimal: "100", "99.5", "50". */
export function formatPercent(rate: number): string {
  if (!Number.isFinite(rate)) return t.noValue;
  const pct = Math.round(Math.min(100, Math.max(0, rate * 100)) * 10) / 10;
  return Number.isInteger(pct) ? String(pct) : pct.toFixed(1);
}

/** Turns the agent's terse error strings into something an operator can act on. Unknown text passes through. */
export function describeError(raw: string): string {
  const timeout = /timeout after (\d+) ms/i.exec(raw);
  if (timeout) return t.errTimeout(timeout[1] ?? "?");
  const exception = /exception (\d+) \(([^)]*)\)/i.exec(raw);
  if (exception) return t.errException(exception[1] ?? "?", exception[2] ?? "");
  const code = /connection error (E[A-Z_]+)/.exec(raw)?.[1];
  if (code === "ECONNREFUSED") return t.errRefused;
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "EHOSTDOWN") return t.errUnreachable;
  if (code === "ECONNRESET" || code === "EPIPE") return t.errReset;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return t.errHostNotFound;
  if (code) return t.errConnection(code);
  return raw;
}
