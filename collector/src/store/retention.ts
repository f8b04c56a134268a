import { setImmediate as yieldToIngest } from "node:timers/promises";
import type { SqliteStore } from "./sqlite-store.js";
import { ROLLUP_TIERS, type RollupTable } from "./tiers.js";

export interface Retention {
  /** Days each tier keeps; 0 keeps forever. The 15-minute and 1-day tiers follow minutes and hours. */
  rawDays: number;
  minuteDays: number;
  hourDays: number;
}

export const DEFAULT_RETENTION: Retention = { rawDays: 30, minuteDays: 365, hourDays: 0 };

const DAY = 86_400_000;
/** Rows per delete: rollup rows, or chunks of raw readings (a chunk goes once its newest reading is past). */
const CHUNK = 2000;
/** Series read per query while walking them. */
const SERIES_PAGE = 500;

export type Pruned = Record<"readings" | RollupTable, number>;

/**
 * Deletes what is older than each tier keeps, a small chunk at a time with the event loop free in
 * between, so ingest (which commits in the same process) never waits behind a long delete.
 */
export async function pruneOnce(store: SqliteStore, retention: Retention, now: number): Promise<Pruned> {
  const pruned = Object.fromEntries([["readings", 0], ...ROLLUP_TIERS.map((t) => [t.table, 0])]) as Pruned;
  const tiers: [keyof Pruned, number][] = [
    ["readings", retention.rawDays],
    ...ROLLUP_TIERS.map((t): [RollupTable, number] => [t.table, retention[t.keep]]),
  ];
  // Readings a quiet fleet left waiting in the head go where retention can see them, a part at a time.
  while (store.moveOneDueHead(now)) await yieldToIngest();
  // A page of series at a time: a list of every series at once (50k under a fleet) was one
  // stretch of ~50 ms that the API waited behind.
  for (let after = 0; ; ) {
    const page = store.seriesAfter(after, SERIES_PAGE);
    for (const s of page)
      for (const [table, days] of tiers) {
        if (days <= 0) continue;
        const before = now - days * DAY;
        for (;;) {
          const { rows, count } = store.pruneChunk(table, s, before, CHUNK);
          pruned[table] += count;
          await yieldToIngest();
          if (rows < CHUNK) break;
        }
      }
    const last = page.at(-1);
    if (!last || page.length < SERIES_PAGE) break;
    after = last.id;
  }
  return pruned;
}

/** Prunes shortly after start and then every `everyMs`; stop() waits for a run in progress. */
export function startRetention(
  store: SqliteStore,
  retention: Retention,
  log: { info(obj: object, msg: string): void; error(obj: object, msg: string): void },
  options: { everyMs?: number; firstAfterMs?: number; now?: () => number } = {},
) {
  const now = options.now ?? Date.now;
  let running: Promise<void> | undefined;
  let stopped = false;
  const run = () => {
    if (running || stopped) return;
    running = pruneOnce(store, retention, now())
      .then((p) => {
        if (Object.values(p).some((n) => n > 0))
          log.info({ pruned: p, retention }, "pruned data past its retention");
      })
      .catch((err) => log.error({ err }, "pruning failed; trying again at the next run"))
      .finally(() => {
        running = undefined;
      });
  };
  const first = setTimeout(run, options.firstAfterMs ?? 30_000);
  const timer = setInterval(run, options.everyMs ?? 3_600_000);
  first.unref();
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
