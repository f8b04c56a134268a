import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  StorageType,
} from "@nats-io/jetstream";
import { type NatsConnection, nanos } from "@nats-io/transport-node";
import { createBackoff } from "@tidegate/node-kit";
import {
  ALERTS_DURABLE,
  ALERTS_STREAM,
  ALERTS_SUBJECTS,
  decodeAlertEvent,
  subjects,
} from "@tidegate/protocol";
import type { Logger } from "pino";
import type { SqliteStore } from "../store/sqlite-store.js";
import { streamReplicas, withReplicas } from "./replicas.js";
import { PULL_EXPIRES_MS } from "./stream.js";

/** The alerts stream and its durable consumer, shared by every collector; created or left as is. */
export async function ensureAlertsStream(jsm: JetStreamManager, replicas = 1) {
  try {
    const info = await jsm.streams.info(ALERTS_STREAM);
    if (info.config.num_replicas !== replicas)
      await jsm.streams.update(ALERTS_STREAM, { ...info.config, num_replicas: replicas });
  } catch (err) {
    if (!/stream not found/i.test((err as Error).message)) throw err;
    await jsm.streams.add({
      name: ALERTS_STREAM,
      subjects: [ALERTS_SUBJECTS],
      storage: StorageType.File,
      duplicate_window: nanos(2 * 60 * 1000),
      max_age: nanos(90 * 24 * 3600 * 1000),
      num_replicas: replicas,
    });
  }
  try {
    await jsm.consumers.info(ALERTS_STREAM, ALERTS_DURABLE);
  } catch (err) {
    if (!/consumer not found/i.test((err as Error).message)) throw err;
    await jsm.consumers.add(ALERTS_STREAM, {
      durable_name: ALERTS_DURABLE,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(30_000),
    });
  }
}

/**
 * Stores the gateways' alert events: each one once (a repeat changes nothing), acked after it is
 * stored; an unreadable one is terminated and counted, never stored.
 */
export function startAlertIngest(
  nc: NatsConnection,
  store: Pick<SqliteStore, "insertAlert">,
  log: Logger,
  options: { streamReplicas?: number } = {},
) {
  const stats = { events: 0, rejected: 0 };
  let stopped = false;
  let stopConsume: (() => void) | undefined;
  const backoff = createBackoff({ initialMs: 500, maxMs: 15_000 });
  const done = (async () => {
    while (!stopped) {
      try {
        const jsm = await jetstreamManager(nc);
        await withReplicas(streamReplicas(nc, options.streamReplicas), "alerts stream", log, (r) =>
          ensureAlertsStream(jsm, r),
        );
        const messages = await (await jetstream(nc).consumers.get(ALERTS_STREAM, ALERTS_DURABLE)).consume({
          expires: PULL_EXPIRES_MS,
        });
        stopConsume = () => void messages.stop();
        backoff.reset();
        for await (const m of messages) {
          try {
            const e = decodeAlertEvent(m.data);
            if (m.subject !== subjects.alerts(e.gateway))
              throw new Error(`alert of ${e.gateway} on ${m.subject}`);
            store.insertAlert(e);
            stats.events += 1;
            m.ack();
          } catch (err) {
            stats.rejected += 1;
            log.warn({ subject: m.subject, reason: (err as Error).message }, "alert event rejected");
            m.term((err as Error).message.slice(0, 100));
          }
        }
      } catch (err) {
        if (stopped) break;
        const delayMs = backoff.next();
        log.warn({ delayMs, reason: (err as Error).message }, "alert consumer failed; retrying");
        await new Promise((r) => setTimeout(r, delayMs));
      }
    }
  })();
  return {
    stats: () => stats,
    async stop() {
      stopped = true;
      stopConsume?.();
      await done.catch(() => {});
    },
  };
}
