import { jetstream } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startIngest } from "@tidegate/collector";
import { type Batch, batchMsgId, encodeBatch, subjects } from "@tidegate/protocol";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NatsServer, startNatsServer } from "./helpers/nats.js";
import { waitFor } from "./helpers/wait.js";

// The collector acks only after its store commits: when the store fails, the batch is nak'ed
// with a delay and JetStream redelivers it, so a broken disk at the center loses nothing.

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

describe("collector store failure", () => {
  it("naks, gets the batch again after the delay and stores it once", async () => {
    const stored: Batch[] = [];
    let failuresLeft = 2;
    const store = {
      insertBatches(batches: readonly Batch[]) {
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          throw new Error("SQLITE_IOERR: disk I/O error (injected)");
        }
        stored.push(...batches);
        return batches.map((b) => ({ inserted: b.readings.length, duplicates: 0 }));
      },
      saveHeartbeat() {},
    };
    const ingest = startIngest(nc, store, pino({ level: "silent" }), { nakDelayMs: 300 });
    const readings = [
      { seq: 1, ts: Date.now(), device: "m1", point: "voltage", value: 230, quality: "good" as const },
    ];
    const js = jetstream(nc);
    await waitFor("the stream to exist", async () => {
      await js.publish(subjects.telemetry("nak-plant"), encodeBatch("nak-plant", readings), {
        msgID: batchMsgId("nak-plant", 1, 1),
      });
      return true;
    });
    await waitFor(
      "the batch to be stored after two failures",
      () => (stored.length > 0 ? true : undefined),
      15_000,
    );
    await new Promise((r) => setTimeout(r, 1000)); // and never again: it was acked
    expect(stored).toHaveLength(1);
    expect(ingest.stats()).toMatchObject({ storeErrors: 2, batches: 1, readings: 1 });
    await ingest.stop();
  });
});
