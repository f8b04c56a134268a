import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  batchMsgId,
  encodeBatch,
  type SequencedReading,
  subjects,
  TELEMETRY_STREAM,
} from "@tidegate/protocol";
import { ensureTelemetryStream } from "../../collector/src/consumer/stream.js";
import { deadline } from "./figure.js";
import { BATCH_SIZE, chunks, GATEWAY } from "./readings.js";

/** One encoded batch as the uplink would send it. */
export interface Payload {
  first: number;
  last: number;
  data: Uint8Array;
}

export function encodePayloads(
  readings: readonly SequencedReading[],
  batchSize = BATCH_SIZE,
  gateway = GATEWAY,
): Payload[] {
  return chunks(readings, batchSize).map((batch) => ({
    first: (batch[0] as SequencedReading).seq,
    last: (batch[batch.length - 1] as SequencedReading).seq,
    data: encodeBatch(gateway, batch),
  }));
}

/** A loopback client connection with the telemetry stream and durable consumer in place. */
export async function connectWithStream(url: string): Promise<NatsConnection> {
  const nc = await connect({ servers: url, name: "tidegate-bench" });
  try {
    await ensureTelemetryStream(await jetstreamManager(nc));
    return nc;
  } catch (err) {
    await nc.close();
    throw err;
  }
}

/** Empties the stream so each measurement starts from the same state. */
export async function purgeTelemetry(nc: NatsConnection): Promise<void> {
  await (await jetstreamManager(nc)).streams.purge(TELEMETRY_STREAM);
}

/**
 * The raw JetStream limit: the payloads published in order, each PubAck awaited, each with its own
 * Nats-Msg-Id (prefixed so it never collides with what the real code sent). `inFlight` > 1 keeps
 * that many publishes awaiting their PubAck at once, as the uplink's maxInFlight does.
 * Returns the elapsed milliseconds.
 */
export async function rawPublish(
  nc: NatsConnection,
  payloads: readonly Payload[],
  idPrefix: string,
  options: { gateway?: string; inFlight?: number } = {},
) {
  const gateway = options.gateway ?? GATEWAY;
  const inFlight = options.inFlight ?? 1;
  const js = jetstream(nc, { timeout: 10_000 });
  const subject = subjects.telemetry(gateway);
  const limit = deadline("raw JetStream publish", 60_000);
  const window: Promise<unknown>[] = [];
  const start = performance.now();
  for (const p of payloads) {
    window.push(js.publish(subject, p.data, { msgID: `${idPrefix}${batchMsgId(gateway, p.first, p.last)}` }));
    if (window.length >= inFlight) await window.shift();
    limit.check();
  }
  await Promise.all(window);
  return performance.now() - start;
}

/** Resolves with `promise`, or rejects after `ms` with the message `what()` gives at that moment. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`gave up after ${ms} ms: ${what()}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
