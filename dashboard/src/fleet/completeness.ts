import type { SeqAccounting } from "@tidegate/protocol";
import { formatCount } from "../format.js";
import { t } from "../i18n.js";

export type Tone = "ok" | "neutral" | "warn" | "bad";

export interface CompletenessView {
  parts: { tone: Tone; text: string }[];
  /** "990 of 1,000 stored" */
  detail: string;
}

/**
 * A gateway's completeness in words: "complete" when every seq up to the highest received is
 * stored or reported dropped, else "N missing"; "N dropped" whenever the agent dropped any.
 */
export function describeCompleteness(seq: SeqAccounting): CompletenessView {
  const parts: CompletenessView["parts"] = [];
  if (seq.missing > 0) parts.push({ tone: "warn", text: t.missing(formatCount(seq.missing)) });
  // Complete accounting with drops is not the all-clear a green "complete" would suggest.
  else parts.push({ tone: seq.dropped > 0 ? "neutral" : "ok", text: t.complete });
  if (seq.dropped > 0) parts.push({ tone: "bad", text: t.droppedN(formatCount(seq.dropped)) });
  return { parts, detail: t.storedOf(formatCount(seq.stored), formatCount(seq.max)) };
}
