import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";

/** How many copies of each stream a JetStream cluster keeps: 3 survives any one node. */
export const CLUSTER_REPLICAS = 3;

/**
 * The replica count for Tidegate's streams and bucket: the configured one, else 3 on a cluster
 * (the server names its cluster in INFO) and 1 on a single server, which cannot hold more.
 */
export function streamReplicas(nc: NatsConnection, configured?: number): number {
  if (configured !== undefined) return configured;
  return nc.info?.cluster ? CLUSTER_REPLICAS : 1;
}

/**
 * Runs `make(replicas)`; a cluster with fewer JetStream nodes than asked answers "insufficient
 * resources", and then one replica beats no stream at all: ingest runs, and the log says why the
 * stream does not survive a node.
 */
export async function withReplicas<T>(
  replicas: number,
  what: string,
  log: Logger,
  make: (replicas: number) => Promise<T>,
): Promise<T> {
  try {
    return await make(replicas);
  } catch (err) {
    if (replicas <= 1 || !/insufficient resources|replicas/i.test((err as Error).message)) throw err;
    log.error(
      { replicas, reason: (err as Error).message },
      `${what}: the cluster cannot hold ${replicas} replicas; using 1, which does not survive a node. Add JetStream nodes or set --stream-replicas`,
    );
    return make(1);
  }
}
