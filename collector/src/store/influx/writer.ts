import { setTimeout as sleep } from "node:timers/promises";
import { HttpError, InfluxDB, setLogger } from "@influxdata/influxdb-client";
import { createBackoff } from "@tidegate/node-kit";
import { TidegateError } from "@tidegate/protocol";
import type { Logger } from "pino";
import type { WriteStatus } from "../backend.js";
import { authHeaders, baseUrl, type InfluxSettings } from "./settings.js";

/** Our write tuning, not the library's defaults (60 s flush, 5 s first retry, 180 s retry budget). */
export interface WriterTuning {
  /** Lines per HTTP request. */
  batchSize: number;
  /** Bodies larger than this many bytes are gzipped. */
  gzipThreshold: number;
  /** Retries of one request after a 429, a 5xx or a network error. */
  maxRetries: number;
  minRetryDelayMs: number;
  maxRetryDelayMs: number;
  /** A write gives up after this long, well inside the consumer's 30 s ack_wait. */
  maxRetryTimeMs: number;
  timeoutMs: number;
}

export const DEFAULT_TUNING: WriterTuning = {
  batchSize: 5000,
  gzipThreshold: 1000,
  maxRetries: 4,
  minRetryDelayMs: 250,
  maxRetryDelayMs: 5000,
  maxRetryTimeMs: 20_000,
  timeoutMs: 10_000,
};

export class InfluxWriteError extends TidegateError {
  override name = "InfluxWriteError";
  readonly code = "influx.write";
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

const PAST_RETENTION = /points beyond retention policy dropped=(\d+)/;

function serverMessage(err: HttpError): string {
  const json = err.json as { error?: unknown; message?: unknown } | undefined;
  const text = json?.error ?? json?.message ?? err.body;
  return typeof text === "string" && text ? text : err.message;
}

/** Retry-After in seconds (InfluxDB and HTTP); the client library would read the number as milliseconds. */
function retryAfterMs(err: HttpError): number | undefined {
  const header = err.headers?.["retry-after"];
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && /^\d+$/.test(value) ? Number(value) * 1000 : undefined;
}

/**
 * Writes line protocol through the client library's WriteApi: its HTTP transport, gzip, error
 * parsing and (v1) a `/write` path in place of `/api/v2/write`. write() resolves only once InfluxDB
 * answered 204 for every line, so the consumer acks nothing unwritten. Retries are ours, not the
 * library's: its retries run in the background after flush() has already failed, and it reads
 * Retry-After as milliseconds. Writes run one at a time, in order.
 */
export function createInfluxWriter(
  s: InfluxSettings,
  tuning: Partial<WriterTuning> = {},
  log?: Pick<Logger, "debug">,
) {
  const t = { ...DEFAULT_TUNING, ...tuning };
  // The library logs each failed request to the console; write() reports failures itself.
  const quiet = (message: string, err: unknown) => log?.debug({ err }, `influxdb-client: ${message}`);
  setLogger({ error: quiet, warn: quiet });
  const influx = new InfluxDB({
    url: baseUrl(s),
    token: s.token,
    timeout: t.timeoutMs,
    headers: s.token ? undefined : authHeaders(s),
  });
  const api = influx.getWriteApi(s.org ?? "", s.db, "ms", {
    // Never flushes by itself: write() hands over one request's lines and awaits that flush.
    batchSize: t.batchSize + 1,
    flushInterval: 0,
    maxRetries: 0,
    gzipThreshold: t.gzipThreshold,
  });
  if (s.api === "v1") {
    const params = new URLSearchParams({ db: s.db, precision: "ms" });
    if (s.retentionPolicy) params.set("rp", s.retentionPolicy);
    api.path = `/write?${params}`;
  }
  const where = `${baseUrl(s)}${api.path.split("?")[0]}`;
  const status: WriteStatus = { failedWrites: 0, writtenPoints: 0, droppedPastRetention: 0, retries: 0 };

  function classify(err: unknown): InfluxWriteError & { delayMs?: number; dropped?: number } {
    if (err instanceof HttpError) {
      const text = serverMessage(err);
      const past = PAST_RETENTION.exec(text);
      const retryable = err.statusCode === 429 || err.statusCode >= 500;
      const e = Object.assign(
        new InfluxWriteError(
          `InfluxDB ${retryable ? "did not take" : "rejected"} the write to ${where} (HTTP ${err.statusCode}): ${text}`,
          err.statusCode,
          retryable,
        ),
        { delayMs: retryAfterMs(err), dropped: past ? Number(past[1]) : undefined },
      );
      return e;
    }
    const code = (err as { code?: string }).code;
    return new InfluxWriteError(
      `InfluxDB at ${where} unreachable: ${code ?? (err as Error).message}`,
      undefined,
      true,
    );
  }

  async function send(lines: string[], deadline: number): Promise<void> {
    const backoff = createBackoff({ initialMs: t.minRetryDelayMs, maxMs: t.maxRetryDelayMs });
    for (let attempt = 1; ; attempt++) {
      try {
        api.writeRecords(lines);
        await api.flush();
        status.writtenPoints += lines.length;
        return;
      } catch (err) {
        const e = classify(err);
        // Older than the retention policy keeps: InfluxDB stored the rest, and would delete these anyway.
        if (e.dropped !== undefined) {
          status.droppedPastRetention += e.dropped;
          status.writtenPoints += lines.length - e.dropped;
          return;
        }
        // Retry-After is a floor: InfluxDB knows when it can take writes again.
        const delay = Math.max(e.delayMs ?? 0, backoff.next());
        if (!e.retryable || attempt > t.maxRetries || Date.now() + delay > deadline) {
          if (e.retryable) e.message += ` (gave up after ${attempt} attempts)`;
          throw e;
        }
        status.retries += 1;
        await sleep(delay);
      }
    }
  }

  let tail: Promise<unknown> = Promise.resolve();
  async function writeAll(lines: readonly string[]) {
    const deadline = Date.now() + t.maxRetryTimeMs;
    try {
      for (let i = 0; i < lines.length; i += t.batchSize)
        await send(lines.slice(i, i + t.batchSize), deadline);
      status.lastError = undefined;
    } catch (err) {
      status.failedWrites += 1;
      status.lastError = (err as Error).message;
      throw err;
    }
  }

  return {
    /** Resolves when every line is stored; rejects with an InfluxWriteError that says why not. */
    write(lines: readonly string[]): Promise<void> {
      const run = tail.then(() => writeAll(lines));
      tail = run.catch(() => {});
      return run;
    },
    status: (): WriteStatus => ({ ...status }),
    async close() {
      await tail;
      api.dispose();
    },
  };
}

export type InfluxWriter = ReturnType<typeof createInfluxWriter>;
