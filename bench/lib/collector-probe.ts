// What a running collector says about itself while a fleet loads it: its metrics, its store file
// and its API's latency. Read from outside, as an operator's monitoring would.
import Database from "better-sqlite3";
import { storedReadingCount } from "../../collector/src/store/stored-readings.js";
import { apiFetch } from "../../test/e2e/helpers/auth.js";
import { percentile } from "./stats.js";

/** The samples of `name` in Prometheus text, by their label set ("" for none). */
export function metricSamples(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? ([0-9.eE+-]+|NaN|\+Inf)$/.exec(line);
    if (m && m[1] === name) out.set(m[2] ?? "", Number(m[3]));
  }
  return out;
}

export async function readMetrics(collectorUrl: string): Promise<string> {
  const res = await apiFetch(`${collectorUrl}/metrics`);
  if (!res.ok) throw new Error(`${collectorUrl}/metrics: HTTP ${res.status}`);
  return res.text();
}

/** Cumulative histogram buckets (le → count) of a metric, from its _bucket samples. */
export function histogramBuckets(text: string, name: string): [number, number][] {
  return [...metricSamples(text, `${name}_bucket`)]
    .map(([labels, n]): [number, number] => {
      const le = /le="([^"]+)"/.exec(labels)?.[1] ?? "+Inf";
      return [le === "+Inf" ? Number.POSITIVE_INFINITY : Number(le), n];
    })
    .sort((a, b) => a[0] - b[0]);
}

/**
 * The p-quantile of what a histogram counted between two scrapes, interpolated linearly inside
 * its bucket (as Prometheus' histogram_quantile does); undefined when nothing was counted.
 */
export function histogramQuantile(before: [number, number][], after: [number, number][], p: number) {
  const delta = after.map(([le, n], i) => [le, n - (before[i]?.[1] ?? 0)] as [number, number]);
  const total = delta.at(-1)?.[1] ?? 0;
  if (total <= 0) return undefined;
  const rank = p * total;
  let lowerLe = 0;
  let lowerN = 0;
  for (const [le, n] of delta) {
    if (n >= rank) {
      if (!Number.isFinite(le)) return lowerLe;
      return lowerLe + ((le - lowerLe) * (rank - lowerN)) / Math.max(n - lowerN, 1e-9);
    }
    lowerLe = le;
    lowerN = n;
  }
  return lowerLe;
}

/** Readings the store holds, all gateways (0 before the collector made its file). */
export function storedTotal(dbPath: string): number {
  let db: Database.Database | undefined;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true });
    return storedReadingCount(db);
  } catch {
    return 0;
  } finally {
    db?.close();
  }
}

/** Gateways whose newest stored reading is from `since` on: their live data is flowing. */
export function gatewaysLiveSince(dbPath: string, since: number): number {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return (
      db
        .prepare<[number], { n: number }>(
          // The latest values: kept on every commit, whether the readings wait in the head or not.
          "SELECT count(DISTINCT gateway) AS n FROM series WHERE last_ts >= ?",
        )
        .get(since)?.n ?? 0
    );
  } finally {
    db.close();
  }
}

/** Calls `path` every `everyMs` until stop(); stop() gives the p50 and p99 in ms. */
export function sampleLatency(collectorUrl: string, path: string, everyMs: number) {
  const times: number[] = [];
  let failures = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const start = performance.now();
      try {
        const res = await apiFetch(`${collectorUrl}${path}`);
        await res.arrayBuffer();
        if (res.ok) times.push(performance.now() - start);
        else failures += 1;
      } catch {
        failures += 1;
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return {
        count: times.length,
        failures,
        p50: times.length ? percentile(times, 50) : Number.NaN,
        p99: times.length ? percentile(times, 99) : Number.NaN,
      };
    },
  };
}

/** Connections per one-second bin from first to last: the peak bin over the mean bin. */
export function peakOverMean(times: readonly number[], fromMs?: number, toMs?: number) {
  if (times.length === 0) return { peak: 0, mean: 0, ratio: 0, seconds: 0 };
  const from = fromMs ?? (times[0] as number);
  const to = toMs ?? (times[times.length - 1] as number) + 1;
  const seconds = Math.max(1, Math.ceil((to - from) / 1000));
  const bins = new Array<number>(seconds).fill(0);
  for (const t of times) {
    const i = Math.floor((t - from) / 1000);
    if (i >= 0 && i < seconds) bins[i] = (bins[i] as number) + 1;
  }
  const counted = bins.reduce((a, b) => a + b, 0);
  const mean = counted / seconds;
  const peak = Math.max(...bins);
  return { peak, mean, ratio: mean > 0 ? peak / mean : 0, seconds };
}

/**
 * When the server accepted each agent connection it holds now (ms since the epoch), from
 * nats-server's /connz: the server's own clock, so a busy load generator that notices its
 * reconnects late does not bunch them.
 */
export async function agentConnectionStarts(monitorUrl: string): Promise<number[]> {
  const res = await fetch(`${monitorUrl}/connz?limit=100000`);
  if (!res.ok) throw new Error(`${monitorUrl}/connz answered ${res.status}`);
  const body = (await res.json()) as { connections?: { name?: string; start: string }[] };
  return (body.connections ?? [])
    .filter((c) => c.name?.startsWith("tidegate-agent:"))
    .map((c) => Date.parse(c.start))
    .sort((a, b) => a - b);
}
