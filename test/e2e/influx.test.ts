import { jetstream } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { type Batch, batchMsgId, encodeBatch, type SequencedReading, subjects } from "@tidegate/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiFetch } from "./helpers/auth.js";
import { type Influxd, startInfluxd } from "./helpers/influxd.js";
import { type NatsServer, startNatsServer } from "./helpers/nats.js";
import { freePort } from "./helpers/ports.js";
import { type Restartable, startCollector } from "./helpers/tidegate.js";
import { getJson, waitFor } from "./helpers/wait.js";

// The collector with --store influx against a real InfluxDB 1.6 (Debian's influxdb package) through
// the v1 /write path: batches published to real NATS JetStream, charts read back over InfluxQL.

const GW = "influx-plant";
const EPOCH = 5;
const MIN = 60_000;
const HOUR = 3_600_000;

let nats: NatsServer;
let influxd: Influxd;
let collector: Restartable;
let nc: NatsConnection;
/** The start of a minute half an hour ago: inside the 3 h retention policy the collector creates. */
const T = Math.floor(Date.now() / MIN) * MIN - 30 * MIN;
let nextSeq = 1;
let publishes = 0;

beforeAll(async () => {
  nats = await startNatsServer();
  influxd = await startInfluxd();
  collector = await startCollector(nats.url, {
    env: {
      TIDEGATE_STORE: "influx",
      TIDEGATE_INFLUX_API: "v1",
      TIDEGATE_INFLUX_URL: influxd.url,
      TIDEGATE_INFLUX_DB: "plant",
      TIDEGATE_INFLUX_RETENTION_DAYS: String(3 / 24),
    },
  });
  nc = await connect({ servers: nats.url });
});
afterAll(async () => {
  await nc?.close();
  await collector?.stop();
  await influxd?.dispose();
  await nats?.dispose();
});

type Row = Omit<SequencedReading, "seq">;
const voltage = (at: number, value: number | null, quality: Row["quality"] = "good"): Row => ({
  ts: T + at,
  device: "meter-1",
  point: "voltage",
  value,
  quality,
});

/** Publishes readings as one batch with the next seqs (or `seqFrom`), as an agent would. */
async function publish(rows: Row[], seqFrom?: number): Promise<Batch> {
  const first = seqFrom ?? nextSeq;
  const readings = rows.map((r, i) => ({ ...r, seq: first + i }));
  if (seqFrom === undefined) nextSeq += rows.length;
  const js = jetstream(nc);
  publishes += 1;
  await waitFor("the telemetry stream", async () => {
    // A distinct msgID each time: a repeat is an agent retry outside JetStream's duplicate window.
    await js.publish(subjects.telemetry(GW), encodeBatch(GW, readings, EPOCH), {
      msgID: `${batchMsgId(GW, first, first + rows.length - 1, EPOCH)}#${publishes}`,
    });
    return true;
  });
  return { gateway: GW, epoch: EPOCH, firstSeq: first, lastSeq: first + rows.length - 1, readings };
}

interface Seq {
  max: number;
  stored: number;
  missing: number;
}
const gatewaySeq = async () =>
  (await getJson<{ gateways: { id: string; seq: Seq }[] }>(`${collector.url}/api/v1/gateways`)).gateways.find(
    (g) => g.id === GW,
  )?.seq;
const ingested = (url = collector.url) =>
  getJson<{ batches: number; duplicates: number; storeErrors: number }>(`${url}/api/v1/ingest`);
const series = (params: Record<string, string | number>) =>
  getJson<{ ts: number[]; values: (number | null)[]; source: string; step: number | string }>(
    `${collector.url}/api/v1/series?${new URLSearchParams({ gateway: GW, device: "meter-1", point: "voltage", ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) })}`,
  );
const buckets = (agg: string) => series({ from: T, to: T + 2 * MIN - 1, step: "1m", agg });

describe("collector on InfluxDB 1.6 (v1 write path)", () => {
  it("stores batches in InfluxDB and charts them raw and in buckets", async () => {
    await publish([
      voltage(0, 1),
      voltage(10_000, 2),
      voltage(20_000, 3),
      voltage(60_000, 10),
      voltage(70_000, 20),
      voltage(80_000, null, "bad"),
      { ts: T + 1000, device: "meter-1", point: "running", value: true, quality: "good" },
      { ts: T + 2000, device: "meter-1", point: "mode", value: "eco", quality: "good" },
    ]);
    await waitFor(
      () => `8 readings stored\n${collector.output().slice(-2000)}`,
      async () => (await gatewaySeq())?.stored === 8,
    );
    const raw = await series({ from: T, to: T + 2 * MIN, step: "raw" });
    expect(raw.ts).toEqual([0, 10_000, 20_000, 60_000, 70_000, 80_000].map((t) => T + t));
    expect(raw.values).toEqual([1, 2, 3, 10, 20, null]); // the bad reading is a gap
    expect(raw.source).toBe("raw");
    const running = await getJson<{ values: (number | null)[] }>(
      `${collector.url}/api/v1/series?gateway=${GW}&device=meter-1&point=running&from=${T}&to=${T + MIN}&step=raw`,
    );
    expect(running.values).toEqual([1]);

    expect(await buckets("avg")).toMatchObject({
      ts: [T, T + MIN],
      values: [2, 15],
      source: "influxdb",
      step: MIN,
    });
    expect((await buckets("min")).values).toEqual([1, 10]);
    expect((await buckets("max")).values).toEqual([3, 20]);
    expect((await buckets("last")).values).toEqual([3, 20]);

    // The line protocol as InfluxDB keeps it: tags, quality as a field, seq as an integer.
    const stored = await influxd.query(
      `SELECT value, text, quality, seq FROM reading WHERE gateway = '${GW}' AND point = 'mode'`,
      "plant",
    );
    expect(stored.results[0]?.series?.[0]?.values).toEqual([[T + 2000, null, "eco", "good", 8]]);
  });

  it("folds late and out-of-order readings (a backfill) into the buckets they belong to", async () => {
    await publish([voltage(30_000, 100), voltage(5_000, -5)]);
    await waitFor("the late batch", async () => (await gatewaySeq())?.stored === 10);
    expect((await buckets("avg")).values).toEqual([101 / 5, 15]);
    expect((await buckets("min")).values).toEqual([-5, 10]);
    expect((await buckets("max")).values).toEqual([100, 20]);
    expect((await buckets("last")).values).toEqual([100, 20]); // the newest timestamp in the bucket, not the last to arrive
  });

  it("does not count a batch delivered again", async () => {
    const before = await ingested();
    await publish([voltage(0, 1), voltage(10_000, 2)], 1);
    await waitFor("the repeat to be seen", async () => (await ingested()).batches > before.batches);
    expect((await ingested()).duplicates).toBe(before.duplicates + 2);
    expect(await gatewaySeq()).toEqual({ max: 10, stored: 10, dropped: 0, missing: 0 });
    expect((await buckets("avg")).values).toEqual([101 / 5, 15]);
  });

  it("keeps raw readings as long as the retention policy it created says", async () => {
    const policies = await influxd.query("SHOW RETENTION POLICIES ON plant");
    expect(policies.results[0]?.series?.[0]?.values).toContainEqual([
      "tidegate",
      "3h0m0s",
      "1h0m0s",
      1,
      true,
    ]);
    // Readings from before the policy's reach (an agent back after a long outage): InfluxDB drops
    // them, and the collector takes that as done rather than redelivering them forever.
    const old = T - 5 * HOUR;
    await publish([
      { ts: old, device: "meter-1", point: "voltage", value: 7, quality: "good" },
      { ts: old + 1000, device: "meter-1", point: "voltage", value: 8, quality: "good" },
    ]);
    await waitFor("the old batch to be acked", async () => (await gatewaySeq())?.stored === 12);
    expect((await series({ from: old - MIN, to: old + MIN, step: "raw" })).ts).toEqual([]);
    const ready = await apiFetch(`${collector.url}/readyz`);
    expect(await ready.json()).toEqual({ ready: true, reasons: [] });
    const metrics = await (await apiFetch(`${collector.url}/metrics`)).text();
    expect(metrics).toMatch(/tidegate_influx_points_past_retention 2/);
  });
});

describe("collector whose InfluxDB is down", () => {
  it("starts anyway, says why it is not ready, acks nothing, and stores the batch once InfluxDB is up", async () => {
    const port = await freePort();
    const down = await startCollector(nats.url, {
      env: {
        TIDEGATE_STORE: "influx",
        TIDEGATE_INFLUX_API: "v1",
        TIDEGATE_INFLUX_URL: `http://127.0.0.1:${port}`,
        TIDEGATE_INFLUX_DB: "later",
        TIDEGATE_INFLUX_RETENTION_DAYS: "7",
      },
    });
    let late: Influxd | undefined;
    try {
      await collector.stop(); // one collector on the shared durable consumer: this one gets the batch
      const { firstSeq } = await publish([voltage(0, 42)]);
      const reasons = await waitFor(
        "/readyz to report the failing writes",
        async () => {
          const r = (await (await apiFetch(`${down.url}/readyz`)).json()) as { reasons: string[] };
          return r.reasons.find((x) => x.includes("readings not stored"));
        },
        30_000,
      );
      expect(reasons).toMatch(/InfluxDB at http:\/\/127\.0\.0\.1:\d+\/write unreachable: ECONNREFUSED/);
      expect((await ingested(down.url)).storeErrors).toBeGreaterThan(0);

      late = await startInfluxd({ httpPort: port });
      await waitFor(
        () => `the redelivered batch stored\n${down.output().slice(-2000)}`,
        async () => {
          const g = await getJson<{ gateways: { id: string; seq: Seq }[] }>(`${down.url}/api/v1/gateways`);
          return g.gateways.find((x) => x.id === GW)?.seq.max === firstSeq;
        },
        45_000,
      );
      const points = await late.query(`SELECT value FROM reading WHERE gateway = '${GW}'`, "later");
      expect(points.results[0]?.series?.[0]?.values).toEqual([[T, 42]]);
      expect(await (await apiFetch(`${down.url}/readyz`)).json()).toEqual({ ready: true, reasons: [] });
    } finally {
      await down.stop();
      await late?.dispose();
    }
  });
});
