import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { COLLECTOR_DURABLE, decodeBatch, subjects, TELEMETRY_STREAM } from "@tidegate/protocol";
import { apiFetch } from "../../e2e/helpers/auth.js";

/**
 * Reads the whole telemetry stream back and counts the gateway's readings that it holds more
 * than once: ranges the agent published again after a crash (the PubAck or the delete never
 * happened) under different boundaries, so JetStream's Msg-Id dedup could not catch them and
 * the collector's (gateway, seq) key had to. Shows that a scenario really exercised re-sending.
 */
export async function republishedReadings(servers: string | string[], gateway: string): Promise<number> {
  // On a cluster just after its nodes were killed and restarted, a JetStream API call may time out
  // while the meta leader settles: read the stream again, for up to 30 s.
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await countRepublished(servers, gateway);
    } catch (err) {
      if (Date.now() > deadline || !/timeout/i.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

async function countRepublished(servers: string | string[], gateway: string): Promise<number> {
  const nc = await connect({ servers, reconnect: false });
  try {
    const jsm = await jetstreamManager(nc);
    const { state } = await jsm.streams.info(TELEMETRY_STREAM);
    const seen = new Set<number>();
    let readings = 0;
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
      const m = await jsm.streams.getMessage(TELEMETRY_STREAM, { seq });
      if (!m || m.subject !== subjects.telemetry(gateway)) continue;
      for (const r of decodeBatch(m.data).readings) {
        readings += 1;
        seen.add(r.seq);
      }
    }
    return readings - seen.size;
  } finally {
    await nc.close();
  }
}

/** The shared durable consumer as the server sees it. */
export interface ConsumerState {
  /** Delivered to some collector and not acked yet: what a collector crash leaves in flight. */
  ackPending: number;
  /** Outstanding pull requests: one or more per live collector. */
  waiting: number;
}

export async function consumerState(natsUrl: string): Promise<ConsumerState> {
  const nc = await connect({ servers: natsUrl, reconnect: false });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.consumers.info(TELEMETRY_STREAM, COLLECTOR_DURABLE);
    return { ackPending: info.num_ack_pending, waiting: info.num_waiting };
  } finally {
    await nc.close();
  }
}

/** A collector's ingest counters (GET /api/v1/ingest), or undefined while it has none to give. */
export interface IngestCounters {
  batches: number;
  readings: number;
  duplicates: number;
  storeErrors: number;
}

export async function ingestCounters(collectorUrl: string): Promise<IngestCounters | undefined> {
  const res = await apiFetch(`${collectorUrl}/api/v1/ingest`);
  if (!res.ok) return undefined;
  return ((await res.json()) as IngestCounters | null) ?? undefined;
}
