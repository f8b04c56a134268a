import type { DropCounts } from "@tidegate/protocol";
import { formatCount } from "./format.js";
import { t } from "./i18n.js";

export interface DropLine {
  reason: string;
  count: number;
  /** "12 dropped, buffer full" */
  text: string;
}

const ORDER = Object.keys(t.dropReason);

/** Non-zero drop counts in words: known reasons in a fixed order, then any other reason by name. */
export function dropLines(dropped: DropCounts | undefined): DropLine[] {
  const rank = (reason: string) => {
    const i = ORDER.indexOf(reason);
    return i < 0 ? ORDER.length : i;
  };
  return Object.entries(dropped ?? {})
    .filter(([, n]) => typeof n === "number" && n > 0)
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([reason, count]) => {
      const what = (t.dropReason as Record<string, string>)[reason] ?? t.dropUnknown(reason);
      return { reason, count, text: t.dropCount(formatCount(count), what) };
    });
}
