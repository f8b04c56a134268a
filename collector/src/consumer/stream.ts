import { AckPolicy, DeliverPolicy, type JetStreamManager, StorageType } from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import { COLLECTOR_DURABLE, TELEMETRY_STREAM, TELEMETRY_SUBJECTS } from "@tidegate/protocol";

/**
 * How long one pull request waits on the server. The client re-pulls after two missed idle
 * heartbeats (half this each): a pull parked on a node that died is replaced within about this
 * long, instead of the library's 30 s default that held ingest for ~40 s after a leader kill.
 */
export const PULL_EXPIRES_MS = 2_000;

/** Creates the telemetry stream and the shared durable consumer, or brings their config up to date. */
export async function ensureTelemetryStream(
  jsm: JetStreamManager,
  options: { maxAgeHours?: number; replicas?: number; ackWaitMs?: number } = {},
) {
  const config = {
    name: TELEMETRY_STREAM,
    subjects: [TELEMETRY_SUBJECTS],
    storage: StorageType.File,
    duplicate_window: nanos(2 * 60 * 1000),
    max_age: nanos((options.maxAgeHours ?? 24 * 7) * 3600 * 1000),
    // A stream on one node stops when that node does; the update raises an existing stream's count.
    num_replicas: options.replicas ?? 1,
  };
  try {
    await jsm.streams.info(TELEMETRY_STREAM);
    await jsm.streams.update(TELEMETRY_STREAM, config);
  } catch (err) {
    if (!/stream not found/i.test((err as Error).message)) throw err;
    await jsm.streams.add(config);
  }
  const consumer = {
    durable_name: COLLECTOR_DURABLE,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(options.ackWaitMs ?? 30_000),
    // A collector killed mid-write holds what it pulled until ack_wait; room for several such
    // crashes keeps the other instances ingesting meanwhile.
    max_ack_pending: 20_000,
  };
  try {
    const info = await jsm.consumers.info(TELEMETRY_STREAM, COLLECTOR_DURABLE);
    if (
      info.config.max_ack_pending !== consumer.max_ack_pending ||
      info.config.ack_wait !== consumer.ack_wait
    ) {
      await jsm.consumers.update(TELEMETRY_STREAM, COLLECTOR_DURABLE, {
        ack_wait: consumer.ack_wait,
        max_ack_pending: consumer.max_ack_pending,
      });
    }
  } catch (err) {
    if (!/consumer not found/i.test((err as Error).message)) throw err;
    await jsm.consumers.add(TELEMETRY_STREAM, consumer);
  }
}
