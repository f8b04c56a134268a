import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freePort } from "../../../../test/e2e/helpers/ports.js";
import { type InfluxV2StandIn, startInfluxV2StandIn } from "../../../../test/helpers/influx-v2-standin.js";
import { createInfluxWriter, InfluxWriteError, type WriterTuning } from "./writer.js";

// The v2 write path against a stand-in that parses line protocol strictly and answers as
// InfluxDB 2.x does; the v1 path is tested against a real influxd in test/e2e/influx.test.ts.

let influx: InfluxV2StandIn;
beforeEach(async () => {
  influx = await startInfluxV2StandIn();
});
afterEach(async () => {
  await influx.close();
});

const quick: Partial<WriterTuning> = { minRetryDelayMs: 10, maxRetryDelayMs: 50, maxRetries: 3 };
const writer = (over: { token?: string } = {}, tuning = quick) =>
  createInfluxWriter(
    { url: influx.url, api: "v2", db: influx.bucket, org: influx.org, token: over.token ?? influx.token },
    tuning,
  );
const line = (seq: number, value = seq) =>
  `reading,device=m1,gateway=plant-1,point=voltage quality="good",seq=${seq}i,value=${value} ${1_700_000_000_000 + seq}`;

describe("InfluxDB v2 writer", () => {
  it("writes through /api/v2/write and resolves once every line is stored", async () => {
    const w = writer();
    await w.write([line(1), line(2, 2.5)]);
    expect(influx.points().map((p) => p.fields.value)).toEqual([1, 2.5]);
    expect(influx.requests).toEqual([{ status: 204, gzip: false, lines: 2 }]);
    expect(w.status()).toMatchObject({ writtenPoints: 2, failedWrites: 0, lastError: undefined });
    await w.close();
  });

  it("sends batchSize lines per request and gzips large bodies", async () => {
    const w = writer({}, { ...quick, batchSize: 50, gzipThreshold: 1000 });
    await w.write(Array.from({ length: 120 }, (_, i) => line(i + 1)));
    expect(influx.requests.map((r) => r.lines)).toEqual([50, 50, 20]);
    expect(influx.requests.every((r) => r.gzip && r.status === 204)).toBe(true);
    expect(influx.points()).toHaveLength(120);
    await w.close();
  });

  it("retries a 429 with Retry-After and a 503, then succeeds", async () => {
    influx.failNext({ status: 429, retryAfterSeconds: 1 }, { status: 503 });
    const w = writer();
    await w.write([line(1)]);
    expect(influx.requests.map((r) => r.status)).toEqual([429, 503, 204]);
    expect(influx.points()).toHaveLength(1);
    expect(w.status()).toMatchObject({ retries: 2, failedWrites: 0, writtenPoints: 1 });
    await w.close();
  });

  it("surfaces a 400 with InfluxDB's message at once, without retrying", async () => {
    influx.failNext({
      status: 400,
      message: 'partial write: field type conflict: input field "value" is type float',
    });
    const w = writer();
    const err = await w.write([line(1)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfluxWriteError);
    expect((err as InfluxWriteError).message).toMatch(
      /rejected the write .*\(HTTP 400\): partial write: field type conflict/,
    );
    expect(influx.requests).toHaveLength(1);
    expect(w.status()).toMatchObject({ failedWrites: 1, writtenPoints: 0 });
    expect(w.status().lastError).toMatch(/HTTP 400/);
    // The next write that works clears the error (for /readyz).
    await w.write([line(2)]);
    expect(w.status().lastError).toBeUndefined();
    await w.close();
  });

  it("says so when the token is wrong (401), without retrying", async () => {
    const w = writer({ token: "wrong" });
    await expect(w.write([line(1)])).rejects.toThrow(/HTTP 401\): unauthorized access/);
    expect(influx.requests).toHaveLength(1);
    expect(influx.points()).toHaveLength(0);
    await w.close();
  });

  it("gives up after maxRetries when InfluxDB keeps failing, and stores nothing", async () => {
    influx.failNext(...Array(10).fill({ status: 503 }));
    const w = writer();
    await expect(w.write([line(1)])).rejects.toThrow(/HTTP 503\).*gave up after 4 attempts/);
    expect(influx.requests).toHaveLength(4);
    expect(influx.points()).toHaveLength(0);
    await w.close();
  });

  it("gives up rather than wait past its time budget for a long Retry-After", async () => {
    influx.failNext({ status: 429, retryAfterSeconds: 60 });
    const w = writer({}, { ...quick, maxRetryTimeMs: 2000 });
    await expect(w.write([line(1)])).rejects.toThrow(/HTTP 429\)/);
    expect(influx.requests).toHaveLength(1);
    await w.close();
  });

  it("counts points dropped as past the retention policy as done, not as a failure", async () => {
    influx.failNext({
      status: 422,
      message: "failure writing points to database: partial write: points beyond retention policy dropped=2",
    });
    const w = writer();
    await w.write([line(1), line(2), line(3)]);
    expect(w.status()).toMatchObject({ droppedPastRetention: 2, writtenPoints: 1, failedWrites: 0 });
    await w.close();
  });

  it("reports an unreachable InfluxDB as such", async () => {
    const port = await freePort();
    const w = createInfluxWriter(
      { url: `http://127.0.0.1:${port}`, api: "v2", db: "b", org: "o", token: "t" },
      { ...quick, maxRetries: 1 },
    );
    await expect(w.write([line(1)])).rejects.toThrow(/unreachable: ECONNREFUSED.*gave up after 2 attempts/);
    await w.close();
  });
});
