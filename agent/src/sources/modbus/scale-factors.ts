import type { PointSpec } from "@tidegate/profiles";
import type { Reading } from "@tidegate/protocol";

/** SunSpec scale factors run from -10 to 10; anything else is a register misread, not a factor. */
const MAX_EXPONENT = 10;

/**
 * Applies each point's `scaleFactor` (a power of ten read in the same poll, SunSpec's *_SF) to its
 * reading, in place: value = (decoded − offset) × 10^factor + offset. A point whose factor could
 * not be read, or is out of range, becomes a bad reading with the reason: a value at the wrong
 * power of ten would look plausible and be wrong.
 */
export function applyScaleFactors(points: ReadonlyMap<string, PointSpec>, readings: Reading[]): void {
  const byPoint = new Map(readings.map((r) => [r.point, r]));
  for (const r of readings) {
    const sfId = points.get(r.point)?.scaleFactor;
    if (sfId === undefined || r.quality !== "good" || typeof r.value !== "number") continue;
    const offset = points.get(r.point)?.offset ?? 0;
    const sf = byPoint.get(sfId);
    const why =
      sf === undefined
        ? `its scale factor '${sfId}' was not read`
        : sf.quality !== "good"
          ? `its scale factor '${sfId}' is ${sf.quality}: ${sf.reason ?? "no value"}`
          : typeof sf.value !== "number" || !Number.isInteger(sf.value) || Math.abs(sf.value) > MAX_EXPONENT
            ? `its scale factor '${sfId}' is ${JSON.stringify(sf.value)}, not a power of ten from -10 to 10`
            : undefined;
    if (why !== undefined) {
      Object.assign(r, { value: null, quality: "bad", reason: why });
      continue;
    }
    const exp = sf?.value as number;
    // Dividing by an exact power of ten rounds once, so 2306 at -1 is 230.6, not 230.60000000000002.
    const scaled = exp < 0 ? (r.value - offset) / 10 ** -exp : (r.value - offset) * 10 ** exp;
    r.value = scaled + offset;
  }
}
