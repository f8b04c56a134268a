import { type MqttPoint, topicPatternError } from "@tidegate/profiles";
import { type ReadingValue, TidegateError } from "@tidegate/protocol";

/**
 * Pure MQTT topic and payload handling: no sockets, no clocks. The source and the embedded broker's
 * ACLs both build on it, and the profile tests decode their testdata with it.
 */

export interface TopicMatch {
  /** The `{device}` level of the topic; undefined when the pattern has none (or it was fixed). */
  device: string | undefined;
}

export interface CompiledTopic {
  /** The profile's pattern with the prefix, as written: e.g. "plant/tele/{device}/SENSOR". */
  readonly pattern: string;
  /** What to subscribe to: `{device}` becomes `+` (or the fixed level). */
  readonly filter: string;
  /** undefined when the topic does not fit the pattern. */
  match(topic: string): TopicMatch | undefined;
}

export interface CompileOptions {
  /** Whole levels put before the pattern ("plant/line-2" or "plant/line-2/"). */
  prefix?: string;
  /** Listen only to this value of the `{device}` level instead of any. */
  deviceLevel?: string;
}

export class TopicError extends TidegateError {
  override name = "TopicError";
  readonly code = "mqtt.topic";
}

function prefixLevels(prefix: string | undefined): string[] {
  const trimmed = (prefix ?? "").replace(/^\/+|\/+$/g, "");
  return trimmed === "" ? [] : trimmed.split("/");
}

/** Compiles a profile point's topic pattern into a subscription filter and a matcher. */
export function compileTopic(pattern: string, options: CompileOptions = {}): CompiledTopic {
  const problem = topicPatternError(pattern);
  if (problem) throw new TopicError(`topic pattern '${pattern}': ${problem}`);
  const pre = prefixLevels(options.prefix);
  const preProblem = pre.find((l) => /[+#{}]/.test(l));
  if (preProblem !== undefined)
    throw new TopicError(`topic prefix '${options.prefix}': use literal levels, no '+', '#' or braces`);
  const fixed = options.deviceLevel;
  if (fixed !== undefined && (fixed === "" || /[/+#]/.test(fixed)))
    throw new TopicError(`device level '${fixed}': one literal topic level, without '/', '+' or '#'`);
  const levels = [...pre, ...pattern.split("/")];
  const deviceAt = levels.indexOf("{device}");
  const filterLevels = levels.map((l) => (l === "{device}" ? (fixed ?? "+") : l));
  const multi = levels[levels.length - 1] === "#";
  const fixedLen = multi ? levels.length - 1 : levels.length;
  // MQTT: a filter starting with a wildcard does not match topics starting with '$' ($SYS/...).
  const firstIsWildcard = filterLevels[0] === "+" || filterLevels[0] === "#";

  return {
    pattern: [...pre, pattern].join("/"),
    filter: filterLevels.join("/"),
    match(topic) {
      if (firstIsWildcard && topic.startsWith("$")) return undefined;
      const parts = topic.split("/");
      if (multi ? parts.length < fixedLen : parts.length !== fixedLen) return undefined;
      for (let i = 0; i < fixedLen; i++) {
        const want = filterLevels[i] as string;
        if (want !== "+" && want !== parts[i]) return undefined;
      }
      return { device: deviceAt >= 0 && fixed === undefined ? parts[deviceAt] : undefined };
    },
  };
}

/** MQTT filter matching (`+` one level, `#` the rest, `$` topics only for literal filters): the broker's ACLs. */
export function filterMatches(filter: string, topic: string): boolean {
  const f = filter.split("/");
  const t = topic.split("/");
  if (topic.startsWith("$") && (f[0] === "+" || f[0] === "#")) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === "#") return true;
    if (i >= t.length) return false;
    if (f[i] !== "+" && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** True when every topic `inner` matches is also matched by `outer` (so subscribing to both duplicates messages). */
export function filterCovers(outer: string, inner: string): boolean {
  const o = outer.split("/");
  const n = inner.split("/");
  for (let i = 0; i < o.length; i++) {
    if (o[i] === "#") return i > 0 || !n[0]?.startsWith("$");
    if (i >= n.length) return false;
    if (n[i] === "#") return false;
    if (o[i] !== "+" && o[i] !== n[i]) return false;
    if (o[i] === "+" && i === 0 && n[0]?.startsWith("$")) return false;
  }
  return o.length === n.length;
}

/** The filters to subscribe to: duplicates and filters another one covers are left out. */
export function minimalFilters(filters: Iterable<string>): string[] {
  const unique = [...new Set(filters)];
  return unique.filter((f) => !unique.some((other) => other !== f && filterCovers(other, f)));
}

// ---- payloads ---------------------------------------------------------------------------------

/** Payloads above this are dropped unread: no device we map sends more, and JSON.parse of megabytes would stall the agent. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

/** Why a payload (or one point of it) gave no value: short, stable strings used as counter labels. */
export const dropReasons = [
  "too-large",
  "not-utf8",
  "empty",
  "not-json",
  "no-such-path",
  "not-a-number",
  "not-a-bool",
  "not-a-scalar",
] as const;
export type DropReason = (typeof dropReasons)[number];

export type Extracted = { value: ReadingValue } | { reason: DropReason };

/** A payload decoded once per message; JSON is parsed on first need and kept. */
export interface Payload {
  readonly text: string;
  json(): { ok: true; value: unknown } | { ok: false };
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Checks size and encoding once per message, before any point looks at it. */
export function readPayload(payload: Uint8Array): Payload | { reason: DropReason } {
  if (payload.byteLength > MAX_PAYLOAD_BYTES) return { reason: "too-large" };
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return { reason: "not-utf8" };
  }
  if (text.trim() === "") return { reason: "empty" };
  let parsed: { ok: true; value: unknown } | { ok: false } | undefined;
  return {
    text,
    json() {
      if (!parsed) {
        try {
          parsed = { ok: true, value: JSON.parse(text) };
        } catch {
          parsed = { ok: false };
        }
      }
      return parsed;
    },
  };
}

/** Walks "a.b.0.c": own keys of objects, indexes of arrays; nothing from prototypes. */
export function walkPath(root: unknown, path: string): { found: true; value: unknown } | { found: false } {
  let cur: unknown = root;
  for (const segment of path.split(".")) {
    if (Array.isArray(cur) && /^\d+$/.test(segment)) {
      const i = Number(segment);
      if (i >= cur.length) return { found: false };
      cur = cur[i];
    } else if (
      cur !== null &&
      typeof cur === "object" &&
      !Array.isArray(cur) &&
      Object.hasOwn(cur, segment)
    ) {
      cur = (cur as Record<string, unknown>)[segment];
    } else return { found: false };
  }
  return { found: true, value: cur };
}

const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const TRUE_WORDS = new Set(["true", "on", "1", "yes"]);
const FALSE_WORDS = new Set(["false", "off", "0", "no"]);

/** Converts a raw JSON or plain value to the point's type, applying scale and offset to numbers. */
export function convert(raw: unknown, point: Pick<MqttPoint, "type" | "scale" | "offset">): Extracted {
  switch (point.type) {
    case "number": {
      let n: number;
      if (typeof raw === "number") n = raw;
      else if (typeof raw === "boolean") n = raw ? 1 : 0;
      else if (typeof raw === "string" && NUMERIC.test(raw.trim())) n = Number(raw.trim());
      else return { reason: "not-a-number" };
      // Checked after scaling: a huge raw times the scale can overflow to ±Infinity.
      const value = n * point.scale + point.offset;
      if (!Number.isFinite(value)) return { reason: "not-a-number" };
      return { value };
    }
    case "bool": {
      if (typeof raw === "boolean") return { value: raw };
      if (typeof raw === "number" && Number.isFinite(raw)) return { value: raw !== 0 };
      if (typeof raw === "string") {
        const word = raw.trim().toLowerCase();
        if (TRUE_WORDS.has(word)) return { value: true };
        if (FALSE_WORDS.has(word)) return { value: false };
      }
      return { reason: "not-a-bool" };
    }
    case "string":
      if (typeof raw === "string") return { value: raw };
      if ((typeof raw === "number" && Number.isFinite(raw)) || typeof raw === "boolean")
        return { value: String(raw) };
      return { reason: "not-a-scalar" };
  }
}

/** One point's value from an already-read payload. */
export function extractFrom(
  payload: Payload,
  point: Pick<MqttPoint, "json" | "type" | "scale" | "offset">,
): Extracted {
  if (point.json === undefined) {
    // A plain payload is the value; strings keep their spaces, numbers and bools are read trimmed.
    return convert(point.type === "string" ? payload.text : payload.text.trim(), point);
  }
  const parsed = payload.json();
  if (!parsed.ok) return { reason: "not-json" };
  const at = walkPath(parsed.value, point.json);
  if (!at.found) return { reason: "no-such-path" };
  return convert(at.value, point);
}

/** One point's value from a raw payload: the whole pipeline, for tests and one-off use. */
export function extract(
  payload: Uint8Array,
  point: Pick<MqttPoint, "json" | "type" | "scale" | "offset">,
): Extracted {
  const read = readPayload(payload);
  return "reason" in read ? read : extractFrom(read, point);
}
