import type { NatsConnection } from "@nats-io/transport-node";
import { withNatsServer, withTempDir } from "./cleanup.js";
import { connectWithStream } from "./nats.js";
import { findPid } from "./proc.js";
import { startWorker, type Worker } from "./worker.js";

/** What the agent-side worker's `drain` returns; times are wallNow() in the worker. */
export interface Drained {
  startedAt: number;
  firstReadAt: number;
  drainedAt: number;
  readMs: number;
  markMs: number;
  reads: number;
  cpuMs: number;
  elu: number;
}

export interface Pipeline {
  url: string;
  /** A bench connection; the telemetry stream and durable consumer exist (ensureTelemetryStream). */
  nc: NatsConnection;
  dir: string;
  /** The agent side: bench/workers/agent-side.ts in a process of its own. */
  agent: Worker;
  /** worker clock - bench clock, ms: subtract from the worker's wallNow() to compare with ours. */
  agentOffset: number;
  /** The collector side (bench/workers/collector-side.ts), when asked for. */
  collector?: Worker;
  collectorOffset?: number;
  natsPid: number | undefined;
}

/** A temp dir, nats-server with the stream created, and the worker processes; all removed afterwards. */
export function withPipeline<T>(
  prefix: string,
  options: { collector: true },
  fn: (p: Required<Pipeline>) => Promise<T>,
): Promise<T>;
export function withPipeline<T>(
  prefix: string,
  options: { collector: false },
  fn: (p: Pipeline) => Promise<T>,
): Promise<T>;
export function withPipeline<T>(
  prefix: string,
  options: { collector: boolean },
  fn: (p: Required<Pipeline>) => Promise<T>,
): Promise<T> {
  return withTempDir(prefix, (dir) =>
    withNatsServer(async (server) => {
      const nc = await connectWithStream(server.url);
      const workers: Worker[] = [];
      try {
        const agent = await startWorker(new URL("../workers/agent-side.ts", import.meta.url), "agent-side");
        workers.push(agent);
        const p: Pipeline = {
          url: server.url,
          nc,
          dir,
          agent,
          agentOffset: await agent.clockOffset(),
          natsPid: findPid(["nats-server", String(server.port)]),
        };
        if (options.collector) {
          const collector = await startWorker(
            new URL("../workers/collector-side.ts", import.meta.url),
            "collector-side",
          );
          workers.push(collector);
          p.collector = collector;
          p.collectorOffset = await collector.clockOffset();
        }
        return await fn(p as Required<Pipeline>);
      } finally {
        for (const w of workers.reverse()) await w.dispose();
        await nc.close();
      }
    }),
  );
}
