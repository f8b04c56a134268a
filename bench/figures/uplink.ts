import { join } from "node:path";
import type { NatsConnection } from "@nats-io/transport-node";
import { encodeBatchColumns } from "@tidegate/protocol";
import pino from "pino";
import { openBuffer, type ReadingBuffer } from "../../agent/src/buffer/buffer.js";
import { createUplink } from "../../agent/src/uplink/uplink.js";
import { withNatsServer, withTempDir } from "../lib/cleanup.js";
import { type Emit, perSecond } from "../lib/figure.js";
import { connectWithStream, type Payload, purgeTelemetry, rawPublish, withTimeout } from "../lib/nats.js";
import { BATCH_SIZE, chunks, GATEWAY, makeReadings } from "../lib/readings.js";

const N = 200_000;
/** The agent's default (agent/src/config/schema.ts), set here so the note stays true. */
const MAX_IN_FLIGHT = 8;
const DRAIN_LIMIT_MS = 60_000;

/** Fills the buffer and returns the payloads the uplink is going to send, read back the way it reads them. */
function fill(buffer: ReadingBuffer): Payload[] {
  for (const poll of chunks(makeReadings(N), 96)) buffer.append(poll);
  const lastSeq = buffer.flush();
  if (lastSeq !== N) throw new Error(`buffer filled up to seq ${lastSeq}, expected ${N}`);
  const payloads: Payload[] = [];
  for (let after = 0; after < lastSeq && payloads.length <= N / BATCH_SIZE; ) {
    const run = buffer.readRun(after, BATCH_SIZE);
    if (!run) throw new Error(`nothing to read after seq ${after} of ${lastSeq}`);
    after = run.last;
    payloads.push({ first: run.first, last: run.last, data: encodeBatchColumns(GATEWAY, run) });
  }
  return payloads;
}

/** Runs the real uplink against the buffer until every reading is acknowledged; returns the elapsed ms. */
async function drain(url: string, buffer: ReadingBuffer, lastSeq: number): Promise<number> {
  let drainedAt: (t: number) => void = () => {};
  const drained = new Promise<number>((resolve) => {
    drainedAt = resolve;
  });
  // Observe markSent(first, last) (called after each PubAck, acks applied in publish order) instead
  // of polling stats(), which would steal the thread.
  const observed: ReadingBuffer = {
    ...buffer,
    markSent(first, last) {
      buffer.markSent(first, last);
      if (last >= lastSeq) drainedAt(performance.now());
    },
  };
  const uplink = createUplink({
    gateway: GATEWAY,
    servers: [url],
    buffer: observed,
    batchSize: BATCH_SIZE,
    maxInFlight: MAX_IN_FLIGHT,
    log: pino({ level: "silent" }),
  });
  const start = performance.now();
  uplink.start();
  try {
    const end = await withTimeout(drained, DRAIN_LIMIT_MS, () => {
      const s = uplink.status();
      return `uplink drain stuck at seq ${s.lastAckSeq}/${lastSeq}${s.lastError ? ` (${s.lastError})` : ""}`;
    });
    const { backlog } = buffer.stats();
    if (backlog !== 0) throw new Error(`uplink finished with a backlog of ${backlog}`);
    return end - start;
  } finally {
    await uplink.stop();
  }
}

/** uplink.drain: a full buffer through the real uplink to a real JetStream, beside raw awaited publishes. */
export async function uplinkFigures(emit: Emit): Promise<void> {
  await withTempDir("uplink", async (dir) => {
    const buffer = openBuffer({ path: join(dir, "buffer.db") });
    try {
      const payloads = fill(buffer);
      await withNatsServer(async (server) => {
        const nc: NatsConnection = await connectWithStream(server.url);
        try {
          const rawMs = await rawPublish(nc, payloads, "raw:");
          await purgeTelemetry(nc);
          const drainMs = await drain(server.url, buffer, N);
          emit({
            name: "uplink.drain",
            value: perSecond(N, drainMs),
            unit: "readings/s",
            baseline: perSecond(N, rawMs),
            budget: { min: 20_000 },
            note:
              `${N / 1000}k buffered readings sent by createUplink in batches of ${BATCH_SIZE}, maxInFlight ` +
              `${MAX_IN_FLIGHT}, until the backlog is 0 (includes connecting; a backlog this long goes out on the ` +
              `backfill lane, no rate limit), in the bench process; baseline: the same ${payloads.length} encoded ` +
              "payloads published sequentially with awaited PubAcks on one connection",
          });
        } finally {
          await nc.close();
        }
      });
    } finally {
      buffer.close();
    }
  });
}
