import type { LinePoint, LineProfile } from "@tidegate/profiles";
import type { Reading } from "@tidegate/protocol";
import { type LineDropReason, MAX_LINE_LENGTH, type PointReason } from "./reasons.js";

export type ParsedLine =
  /** Field name (column, key, group, or `GGA.9`) to its text. */
  | { ok: true; fields: Record<string, string>; sentence?: string }
  /** A line the profile does not read: a blank line, an NMEA sentence not listed. Not an error. */
  | { ok: true; ignored: true }
  | { ok: false; reason: LineDropReason };

/** C0 controls but TAB, DEL, and C1 controls (what bytes 0x80..0x9F become when a line is not UTF-8). */
function hasNonPrintable(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

/** Cuts one line (delimiter already removed) into named fields as the profile's format says. */
export function parseLine(profile: LineProfile, line: string): ParsedLine {
  const text = line.replace(/^[\r\n]+|[\r\n]+$/g, "");
  if (text.length > MAX_LINE_LENGTH) return { ok: false, reason: "too-long" };
  if (hasNonPrintable(text)) return { ok: false, reason: "garbage" };
  if (text.trim() === "") return { ok: true, ignored: true };
  const format = profile.format;
  switch (format.type) {
    case "csv": {
      const cells = text.split(format.separator);
      if (cells.length !== format.columns.length) return { ok: false, reason: "column-count" };
      const fields: Record<string, string> = {};
      format.columns.forEach((name, i) => {
        if (name !== "") fields[name] = (cells[i] as string).trim();
      });
      return { ok: true, fields };
    }
    case "keyvalue": {
      const fields: Record<string, string> = {};
      for (const pair of text.split(format.pairSeparator)) {
        const at = pair.indexOf(format.kvSeparator);
        // A bare word between pairs (a status flag, a trailing unit) carries no named value.
        if (at > 0) fields[pair.slice(0, at).trim()] = pair.slice(at + format.kvSeparator.length).trim();
      }
      return { ok: true, fields };
    }
    case "regex": {
      const groups = compiled(format.pattern).exec(text)?.groups;
      if (!groups) return { ok: false, reason: "no-match" };
      const fields: Record<string, string> = {};
      for (const [name, value] of Object.entries(groups))
        if (value !== undefined) fields[name] = value.trim();
      return { ok: true, fields };
    }
    case "nmea":
      return parseNmea(format.sentences, text.trim());
  }
}

function parseNmea(sentences: readonly string[], text: string): ParsedLine {
  // A line that does not start a sentence is the tail of one cut short (the port opened mid-line).
  if (text[0] !== "$" && text[0] !== "!") return { ok: false, reason: "partial" };
  const star = text.lastIndexOf("*");
  if (star < 0) return { ok: false, reason: "no-checksum" };
  const given = text.slice(star + 1);
  const body = text.slice(1, star);
  if (!/^[0-9A-Fa-f]{2}$/.test(given) || Number.parseInt(given, 16) !== nmeaChecksum(body))
    return { ok: false, reason: "checksum-mismatch" };
  const parts = body.split(",");
  // Talker (GP, GN, GL, GA, BD...) + sentence; proprietary ($PUBX) and unlisted sentences are not ours.
  const address = /^[A-Z][A-Z0-9]([A-Z]{3})$/.exec(parts[0] as string);
  const sentence = address?.[1];
  if (!sentence || !sentences.includes(sentence)) return { ok: true, ignored: true };
  const fields: Record<string, string> = {};
  for (let i = 1; i < parts.length; i++) fields[`${sentence}.${i}`] = (parts[i] as string).trim();
  return { ok: true, fields, sentence };
}

/** XOR of the characters between `$` and `*`, as NMEA 0183 defines it. */
export function nmeaChecksum(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum ^= body.charCodeAt(i);
  return sum;
}

const patterns = new Map<string, RegExp>();
function compiled(pattern: string): RegExp {
  let re = patterns.get(pattern);
  if (!re) {
    re = new RegExp(pattern);
    patterns.set(pattern, re);
  }
  return re;
}

export type LineResult =
  | { readings: Reading[]; ignored?: true }
  /** The whole line is rejected: nothing from it is stored. */
  | { dropped: LineDropReason | PointReason };

export interface LineContext {
  device: string;
  /** Arrival time of the line. */
  ts: number;
}

/**
 * The readings one line yields for `points` (the device's selection of the profile's points).
 * A field that does not read as its type gives that point a quality=bad reading with the reason,
 * so the line's other values still count. A line where no point of the profile reads at all (a
 * header, a banner, an error response) is dropped with the first point's reason instead of
 * storing a row of bad readings. Values are never NaN or infinite.
 */
export function lineToReadings(
  profile: LineProfile,
  points: readonly LinePoint[],
  line: string,
  ctx: LineContext,
): LineResult {
  const parsed = parseLine(profile, line);
  if (!parsed.ok) return { dropped: parsed.reason };
  if ("ignored" in parsed) return { readings: [], ignored: true };
  const { fields, sentence } = parsed;
  // Sentences a listed point is not in, keys a line lacks, optional groups that did not match:
  // those points are simply not on this line.
  const onLine = (p: LinePoint) =>
    sentence !== undefined
      ? p.field.startsWith(`${sentence}.`)
      : profile.format.type === "csv" || fields[p.field] !== undefined;
  const candidates = profile.points.filter(onLine);
  if (candidates.length === 0) return sentence !== undefined ? { readings: [] } : { dropped: "no-match" };
  const values = new Map(candidates.map((p) => [p.id, readPoint(p, fields)]));
  const firstBad = [...values.values()].find((v) => "reason" in v);
  if (firstBad && [...values.values()].every((v) => "reason" in v))
    return { dropped: (firstBad as { reason: PointReason }).reason };
  const readings: Reading[] = [];
  for (const point of points) {
    const v = values.get(point.id);
    if (!v) continue;
    const base = { ts: ctx.ts, device: ctx.device, point: point.id };
    readings.push(
      "reason" in v
        ? { ...base, value: null, quality: "bad", reason: v.reason }
        : { ...base, value: v.value, quality: "good" },
    );
  }
  return { readings };
}

type PointValue = { value: number | string | boolean } | { reason: PointReason };

/** One point's value from the line's fields, or why it has none. */
export function readPoint(point: LinePoint, fields: Record<string, string>): PointValue {
  const raw = fields[point.field];
  if (raw === undefined) return { reason: "missing-field" };
  if (point.type === "string") return { value: raw };
  if (raw === "") return { reason: "empty-field" };
  if (point.type === "bool") {
    const value = point.boolText ? textBool(raw, point.boolText) : plainBool(raw);
    return value === undefined ? { reason: "not-a-bool" } : { value };
  }
  if (point.nmea) {
    const degrees = nmeaDegrees(raw, fields[nextField(point.field)] ?? "", point.nmea);
    if (typeof degrees === "string") return { reason: degrees };
    return finiteValue(scaled(degrees, undefined, point));
  }
  const number = parseDecimal(raw);
  if (!number) return { reason: "not-a-number" };
  return finiteValue(scaled(number.value, number.decimals, point));
}

/** A huge number printed by the device can overflow to ±Infinity once scaled: that is no value. */
function finiteValue(value: number): PointValue {
  return Number.isFinite(value) ? { value } : { reason: "not-a-number" };
}

function textBool(raw: string, text: { true: string; false: string }): boolean | undefined {
  return raw === text.true ? true : raw === text.false ? false : undefined;
}

function plainBool(raw: string): boolean | undefined {
  const t = raw.toLowerCase();
  if (["1", "true", "on", "yes"].includes(t)) return true;
  if (["0", "false", "off", "no"].includes(t)) return false;
  return undefined;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A decimal number as printed, with its count of decimals (undefined when written with an exponent). */
export function parseDecimal(raw: string): { value: number; decimals: number | undefined } | undefined {
  const m = DECIMAL.exec(raw);
  if (!m) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) return undefined;
  const mantissa = m[1] as string;
  const dot = mantissa.indexOf(".");
  return { value, decimals: m[2] ? undefined : dot < 0 ? 0 : mantissa.length - dot - 1 };
}

/**
 * raw * scale + offset without binary noise: the text's decimals plus the scale's (and the
 * offset's) say exactly how many decimals the true result has ("1234.5" * 0.1 is 123.45, not
 * 123.45000000000002).
 */
function scaled(raw: number, rawDecimals: number | undefined, point: LinePoint): number {
  if (point.scale === 1 && point.offset === 0) return raw;
  const value = raw * point.scale + point.offset;
  const s = decimalsOf(point.scale);
  const o = decimalsOf(point.offset);
  if (rawDecimals === undefined || s === undefined || o === undefined || rawDecimals + s > 15)
    return Number(value.toPrecision(15));
  return Number(value.toFixed(Math.max(rawDecimals + s, o))) + 0;
}

function decimalsOf(x: number): number | undefined {
  for (let places = 0; places <= 15; places++) if (Number(x.toFixed(places)) === x) return places;
  return undefined;
}

function nextField(field: string): string {
  const dot = field.lastIndexOf(".");
  return `${field.slice(0, dot)}.${Number(field.slice(dot + 1)) + 1}`;
}

/** NMEA `ddmm.mmmm,N` (latitude) or `dddmm.mmmm,E` (longitude) as signed decimal degrees. */
export function nmeaDegrees(
  raw: string,
  hemisphere: string,
  axis: "latitude" | "longitude",
): number | "bad-coordinate" | "empty-field" {
  if (raw === "" || hemisphere === "") return "empty-field";
  const degDigits = axis === "latitude" ? 2 : 3;
  const m = new RegExp(`^(\\d{${degDigits}})(\\d{2}(?:\\.\\d+)?)$`).exec(raw);
  const signs = axis === "latitude" ? { N: 1, S: -1 } : { E: 1, W: -1 };
  const sign = signs[hemisphere as keyof typeof signs];
  if (!m || sign === undefined) return "bad-coordinate";
  const degrees = Number(m[1]);
  const minutes = Number(m[2]);
  const value = degrees + minutes / 60;
  if (minutes >= 60 || value > (axis === "latitude" ? 90 : 180)) return "bad-coordinate";
  // Nine decimals (0.1 mm) keep every digit a receiver prints and drop the division's noise.
  return sign * Number(value.toFixed(9)) + 0;
}
