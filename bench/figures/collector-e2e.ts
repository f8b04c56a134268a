import { join } from "node:path";
import pino from "pino";
import { startIngest } from "../../collector/src/consumer/consumer.js";
import { openSqliteStore } from "../../collector/src/store/sqlite-store.js";
import { withNatsServer, withTempDir } from "../lib/cleanup.js";
import { deadline, type Emit, perSecond } from "../lib/figure.js";
import { connectWithStream, encodePayloads, rawPublish } from "../lib/nats.js";
import { makeReadings, sequenced } from "../lib/readings.js";

const N = 200_000;
const STORED_LIMIT_MS = 60_000;

/**
 * collector.ingest.e2e: the batches published to a real JetStream (awaited PubAcks) while the real
 * startIngest consumer stores them; timed from the first publish until every reading is stored.
 * Publisher and collector share this one Node thread, so the figure is conservative.
 */
export async function collectorE2eFigures(emit: Emit): Promise<void> {
  const payloads = encodePayloads(sequenced(makeReadings(N)));

  await withTempDir("collector-e2e", async (dir) => {
    const store = openSqliteStore(join(dir, "collector.db"));
    try {
      await withNatsServer(async (server) => {
        const publisher = await connectWithStream(server.url);
        const collector = await connectWithStream(server.url);
        const ingest = startIngest(collector, store, pino({ level: "silent" }));
        let ingesting = true;
        const stopIngest = async () => {
          if (!ingesting) return;
          ingesting = false;
          await ingest.stop();
        };
        try {
          const start = performance.now();
          await rawPublish(publisher, payloads, "");
          const limit = deadline("collector e2e", STORED_LIMIT_MS);
          while (ingest.stats().readings < N) {
            if (limit.remainingMs() === 0) {
              const s = ingest.stats();
              throw new Error(
                `collector stored ${s.readings}/${N} readings in ${STORED_LIMIT_MS} ms ` +
                  `(rejected ${JSON.stringify(s.rejected)}, store errors ${s.storeErrors})`,
              );
            }
            await new Promise((r) => setTimeout(r, 2));
          }
          const end = performance.now();
          await stopIngest();
          // The publishing side alone, with the consumer stopped: the raw limit for this path.
          const rawMs = await rawPublish(publisher, payloads, "raw:");
          emit({
            name: "collector.ingest.e2e",
            value: perSecond(N, end - start),
            unit: "readings/s",
            baseline: perSecond(N, rawMs),
            note:
              `${payloads.length} batches of 500 published (awaited PubAcks) while startIngest consumes, decodes ` +
              "and stores them, timed from first publish to all stored; publisher and collector share one " +
              "Node thread; baseline: the same publishes with no consumer running",
          });
        } finally {
          await stopIngest();
          await publisher.close();
          await collector.close();
        }
      });
    } finally {
      store.close();
    }
  });
}
