import { join } from "node:path";
import { openAuthStore } from "@tidegate/http-kit";
import type { Batch } from "@tidegate/protocol";
import Database from "better-sqlite3";
import { createCollectorApp } from "../../collector/src/http/app.js";
import { openSqliteStore } from "../../collector/src/store/sqlite-store.js";
import { withTempDir } from "../lib/cleanup.js";
import { deadline, type Emit, type Remark } from "../lib/figure.js";
import { percentile } from "../lib/stats.js";

const DAY = 86_400_000;
const DAYS = 30;
const GATEWAY = "bench-plant";
const BATCH = 2000;
const QUERIES = 20;
const LIMIT_MS = 240_000;

/** One point read every `everyMs` for 30 days, as the agent would have sent it, in batches. */
function* history(device: string, point: string, start: number, everyMs: number, firstSeq: number) {
  const count = Math.floor((DAYS * DAY) / everyMs);
  for (let i = 0; i < count; i += BATCH) {
    const n = Math.min(BATCH, count - i);
    const readings = Array.from({ length: n }, (_, k) => {
      const t = start + (i + k) * everyMs;
      return {
        seq: firstSeq + i + k,
        ts: t,
        device,
        point,
        value: 230 + 5 * Math.sin(t / 3_600_000) + ((i + k) % 7) / 10,
        quality: "good" as const,
      };
    });
    yield {
      gateway: GATEWAY,
      epoch: 1,
      firstSeq: firstSeq + i,
      lastSeq: firstSeq + i + n - 1,
      readings,
    } as Batch;
  }
}

/**
 * collector.query.*: chart queries over 30 days, answered by the collector's HTTP app in process
 * (routing, planning, SQLite, bucketing, JSON): one point read at 1 Hz (2.6M raw readings) to
 * ~1 000 buckets, and 20 points at once. Also what a reading costs on disk, rollups and indexes
 * included.
 */
export async function queryFigures(emit: Emit, remark: Remark): Promise<void> {
  await withTempDir("query", async (dir) => {
    const path = join(dir, "collector.db");
    const store = openSqliteStore(path);
    const limit = deadline("query bench data", LIMIT_MS);
    const to = Math.floor(Date.now() / 60_000) * 60_000;
    const from = to - DAYS * DAY;
    let seq = 1;
    let readings = 0;
    const load = (batches: Iterable<Batch>) => {
      for (const b of batches) {
        store.insertBatch(b, to);
        seq = b.lastSeq + 1;
        readings += b.readings.length;
        limit.check();
      }
    };
    const loadStart = performance.now();
    load(history("meter-1", "voltage", from, 1000, seq));
    const oneHz = readings;
    // 19 more points at one reading a minute: the same rollup rows a 1 Hz point makes, at a
    // fraction of the load time.
    for (let p = 1; p < 20; p++) load(history(`meter-${1 + (p % 5)}`, `p${p}`, from, 60_000, seq));
    const loadS = (performance.now() - loadStart) / 1000;

    const app = createCollectorApp({
      store,
      version: "bench",
      auth: { store: openAuthStore(":memory:"), anonymousRole: "viewer" },
      now: () => to,
    });
    const ask = async (series: string[]) => {
      const params = new URLSearchParams({ from: String(from), to: String(to), step: "auto", agg: "avg" });
      for (const s of series) params.append("series", s);
      const start = performance.now();
      const res = await app.request(`/api/v1/series?${params}`);
      const body = (await res.json()) as { ts: number[] };
      const ms = performance.now() - start;
      if (res.status !== 200) throw new Error(`series query answered ${res.status}: ${JSON.stringify(body)}`);
      return { ms, points: body.ts.length };
    };
    const measure = async (series: string[]) => {
      await ask(series); // warm the page cache and the statements
      const runs: number[] = [];
      let points = 0;
      for (let i = 0; i < QUERIES; i++) {
        const r = await ask(series);
        runs.push(r.ms);
        points = r.points;
      }
      return { p50: percentile(runs, 50), p99: percentile(runs, 99), points };
    };

    const one = await measure([`${GATEWAY}/meter-1/voltage`]);
    const twenty = await measure([
      `${GATEWAY}/meter-1/voltage`,
      ...Array.from({ length: 19 }, (_, i) => `${GATEWAY}/meter-${1 + ((i + 1) % 5)}/p${i + 1}`),
    ]);
    const what = `30 days to ${one.points} buckets (step=auto, agg=avg) through the collector's HTTP app in process, ${QUERIES} runs after one warm-up`;
    emit({
      name: "collector.query.one_point_p50",
      value: Math.round(one.p50 * 10) / 10,
      unit: "ms",
      budget: { max: 50 },
      note: `one point with ${oneHz.toLocaleString("en")} raw readings (1 Hz for 30 days); ${what}; p99 ${one.p99.toFixed(1)} ms`,
    });
    emit({
      name: "collector.query.twenty_points_p50",
      value: Math.round(twenty.p50 * 10) / 10,
      unit: "ms",
      budget: { max: 50 },
      note: `20 points in one request (one at 1 Hz, 19 at one reading a minute: the same rollup rows); ${what}, read from the rollup tier step=auto picks and folded in SQL; p99 ${twenty.p99.toFixed(1)} ms`,
    });

    store.close();
    const db = new Database(path);
    try {
      db.pragma("wal_checkpoint(TRUNCATE)");
      const pageSize = db.pragma("page_size", { simple: true }) as number;
      const pages = db.pragma("page_count", { simple: true }) as number;
      const perTable = new Map<string, number>();
      try {
        for (const r of db
          .prepare<[], { name: string; bytes: number }>(
            "SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name",
          )
          .all())
          perTable.set(r.name, r.bytes);
      } catch {
        // dbstat is a compile-time option of SQLite; without it only the total is known
      }
      const raw = [...perTable]
        .filter(
          ([n]) =>
            n === "chunks" ||
            n.startsWith("chunks_") ||
            n === "series_ids" ||
            n.startsWith("sqlite_autoindex_series_ids") ||
            n === "seq_runs",
        )
        .reduce((s, [, b]) => s + b, 0);
      const rollups = [...perTable].filter(([n]) => n.startsWith("rollup")).reduce((s, [, b]) => s + b, 0);
      emit({
        name: "collector.storage.bytes_per_reading",
        value: Math.round(((pages * pageSize) / readings) * 10) / 10,
        unit: "B",
        note: `collector.db after a checkpoint, every table and index, divided by ${readings.toLocaleString("en")} readings stored${
          perTable.size
            ? `; raw readings (chunks, their index, series ids, seq runs) ${(raw / readings).toFixed(1)} B, 1-minute and 1-hour rollups ${(rollups / readings).toFixed(1)} B per reading`
            : ""
        }`,
      });
      remark(
        `Loading the query bench's ${readings.toLocaleString("en")} readings through insertBatch took ${loadS.toFixed(0)} s.`,
      );
    } finally {
      db.close();
    }
  });
}
