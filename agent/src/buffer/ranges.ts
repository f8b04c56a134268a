/** Inclusive seq ranges, kept sorted and merged: [[1, 5], [9, 9]]. */
export type SeqRange = [first: number, last: number];

export function addRange(ranges: SeqRange[], first: number, last: number): SeqRange[] {
  const all = [...ranges, [first, last] as SeqRange].sort((a, b) => a[0] - b[0]);
  const merged: SeqRange[] = [];
  for (const [f, l] of all) {
    const prev = merged[merged.length - 1];
    if (prev && f <= prev[1] + 1) prev[1] = Math.max(prev[1], l);
    else merged.push([f, l]);
  }
  return merged;
}

/** Moves the watermark over every range that starts right after it; returns the rest. */
export function advanceWatermark(
  watermark: number,
  ranges: SeqRange[],
): { watermark: number; rest: SeqRange[] } {
  let w = watermark;
  const rest: SeqRange[] = [];
  for (const [f, l] of ranges) {
    if (l <= w) continue;
    if (f <= w + 1) w = l;
    else rest.push([f, l]);
  }
  return { watermark: w, rest };
}

export function rangeLength(ranges: readonly SeqRange[]): number {
  return ranges.reduce((n, [f, l]) => n + (l - f + 1), 0);
}
