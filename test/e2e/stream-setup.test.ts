import { AckPolicy, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection, nanos } from "@nats-io/transport-node";
import { ensureTelemetryStream } from "@tidegate/collector";
import { COLLECTOR_DURABLE, TELEMETRY_STREAM } from "@tidegate/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NatsServer, startNatsServer } from "./helpers/nats.js";

// The collector brings an existing stream and durable consumer up to date at start, so a fleet
// upgraded from an older collector gets the new consumer limits without manual NATS work.

let nats: NatsServer;
let nc: NatsConnection;
beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
});
afterAll(async () => {
  await nc?.close();
  await nats?.dispose();
});

describe("telemetry stream setup", () => {
  it("creates the stream and consumer, and updates an older consumer's limits", async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: TELEMETRY_STREAM, subjects: ["tidegate.telemetry.>"] });
    await jsm.consumers.add(TELEMETRY_STREAM, {
      durable_name: COLLECTOR_DURABLE,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(30_000),
      max_ack_pending: 1000,
    });
    await ensureTelemetryStream(jsm);
    const consumer = await jsm.consumers.info(TELEMETRY_STREAM, COLLECTOR_DURABLE);
    expect(consumer.config.max_ack_pending).toBe(20_000);
    const stream = await jsm.streams.info(TELEMETRY_STREAM);
    expect(stream.config.duplicate_window).toBe(nanos(120_000));
  });

  it("gives the consumer the ack wait the collector was started with, and back", async () => {
    const jsm = await jetstreamManager(nc);
    await ensureTelemetryStream(jsm, { ackWaitMs: 5_000 });
    expect((await jsm.consumers.info(TELEMETRY_STREAM, COLLECTOR_DURABLE)).config.ack_wait).toBe(
      nanos(5_000),
    );
    await ensureTelemetryStream(jsm);
    expect((await jsm.consumers.info(TELEMETRY_STREAM, COLLECTOR_DURABLE)).config.ack_wait).toBe(
      nanos(30_000),
    );
  });
});
