import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { batchMsgId, encodeBatch, type SequencedReading, subjects } from "@tidegate/protocol";

export interface Load {
  gateway: string;
  /** Publishes `batches` batches of `size` readings with the next seqs; resolves once all are PubAcked. */
  publish(batches: number, size: number): Promise<void>;
  /** Highest seq published so far: the load gateway's "committed". */
  published(): number;
  close(): Promise<void>;
}

/**
 * Extra traffic from a second, synthetic gateway, published straight to JetStream the way the
 * agent does (contiguous ranges, Msg-Id per range). A few polled devices give the collector a
 * write every ~100 ms, too little for a SIGKILL to land inside one; a burst of this load keeps
 * it writing for a while, so kills hit real transactions. Its seqs are known exactly, so it is
 * counted like the agent's: every seq 1..published() stored once.
 */
export async function startLoad(natsUrl: string, gateway: string): Promise<Load> {
  const nc = await connect({ servers: natsUrl });
  const js = jetstream(nc);
  const t0 = Date.now();
  let last = 0;
  return {
    gateway,
    async publish(batches, size) {
      // Many publishes in flight, so the stream fills faster than a collector drains it and each
      // collector holds a full pull (up to 200 messages, un-acked) when a kill comes.
      const inFlight: Promise<unknown>[] = [];
      for (let b = 0; b < batches; b++) {
        const first = last + 1;
        last += size;
        const readings: SequencedReading[] = [];
        for (let seq = first; seq <= last; seq++) {
          // A ts per seq keeps (device, point, ts) unique, so the duplicate check applies as is.
          readings.push({
            seq,
            ts: t0 + seq,
            device: "load-1",
            point: `p${seq % 8}`,
            value: seq,
            quality: "good",
          });
        }
        inFlight.push(
          js.publish(subjects.telemetry(gateway), encodeBatch(gateway, readings), {
            msgID: batchMsgId(gateway, first, last),
          }),
        );
        if (inFlight.length >= 64) await Promise.all(inFlight.splice(0));
      }
      await Promise.all(inFlight);
    },
    published: () => last,
    close: () => nc.close(),
  };
}
