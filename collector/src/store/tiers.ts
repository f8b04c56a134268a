/**
 * The rollup tiers kept on ingest, finest first: bucket width in ms, the table, and which retention
 * setting keeps it. Each tier's width divides the next one's, so a coarser bucket is a whole number
 * of finer ones. The 15-minute tier lives as long as the 1-minute one it condenses, the 1-day tier
 * as long as the hours: they add tiers for charts, not history.
 */
export const ROLLUP_TIERS = [
  { ms: 60_000, table: "rollup_1m", keep: "minuteDays" },
  { ms: 900_000, table: "rollup_15m", keep: "minuteDays" },
  { ms: 3_600_000, table: "rollup_1h", keep: "hourDays" },
  { ms: 86_400_000, table: "rollup_1d", keep: "hourDays" },
] as const;

export type RollupTier = (typeof ROLLUP_TIERS)[number];
export type RollupTable = RollupTier["table"];

/**
 * The coarsest tier whose buckets tile a chart step exactly, so a chart bucket folds as few rows
 * as it can (a 30-minute bucket: two 15-minute rows, not thirty 1-minute ones); undefined when
 * the step is finer than a minute or not a whole number of minutes.
 */
export function tierFor(stepMs: number): RollupTier | undefined {
  for (let i = ROLLUP_TIERS.length - 1; i >= 0; i--) {
    const tier = ROLLUP_TIERS[i] as RollupTier;
    if (stepMs >= tier.ms && stepMs % tier.ms === 0) return tier;
  }
  return undefined;
}

/** The tier kept in `table`. */
export function tierOf(table: RollupTable): RollupTier {
  return ROLLUP_TIERS.find((t) => t.table === table) as RollupTier;
}
