import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import type { NatsServer } from "./nats.js";
import { freePort } from "./ports.js";
import { type RunningProcess, startProcess } from "./process.js";
import { waitFor } from "./wait.js";

export interface ClusterNode {
  name: string;
  url: string;
  monitorPort: number;
  /** Kills the node (SIGKILL: no goodbye to its peers), keeping its store. */
  kill(): Promise<void>;
  start(): Promise<void>;
  alive(): boolean;
}

export interface NatsCluster {
  nodes: ClusterNode[];
  urls: string[];
  /** The cluster as one server for helpers that take one: the first node's URL, all nodes stopped or started. */
  asServer: NatsServer;
  /** The node that leads `stream` right now, as the monitoring endpoint of a live node says. */
  streamLeader(stream: string): Promise<ClusterNode | undefined>;
  /** Waits until every replica of `stream` is back and current (after a node came back). */
  waitReplicasCurrent(stream: string, timeoutMs?: number): Promise<void>;
  dispose(): Promise<void>;
}

interface Jsz {
  account_details?: {
    stream_detail?: {
      name: string;
      cluster?: { leader?: string; replicas?: { name: string; current: boolean; offline?: boolean }[] };
    }[];
  }[];
}

/** Three real nats-servers with JetStream, routed into one cluster on free ports, each with its own store. */
export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const ports = await Promise.all(
    Array.from({ length: size }, async () => ({
      client: await freePort(),
      monitor: await freePort(),
      route: await freePort(),
    })),
  );
  const dirs = ports.map(() => mkdtempSync(join(tmpdir(), "tidegate-nats-cluster-")));
  const procs: (RunningProcess | undefined)[] = ports.map(() => undefined);
  const outputs: string[] = ports.map(() => "");

  const nodes: ClusterNode[] = ports.map((p, i) => {
    const name = `n${i + 1}`;
    const url = `nats://127.0.0.1:${p.client}`;
    const routes = ports
      .filter((_, j) => j !== i)
      .map((o) => `nats://127.0.0.1:${o.route}`)
      .join(",");
    const args = [
      ...[
        "-js",
        "-sd",
        dirs[i] as string,
        "-a",
        "127.0.0.1",
        "-p",
        String(p.client),
        "-m",
        String(p.monitor),
      ],
      ...["-n", name, "--cluster_name", "tg", "-cluster", `nats://127.0.0.1:${p.route}`, "-routes", routes],
    ];
    let alive = false;
    return {
      name,
      url,
      monitorPort: p.monitor,
      alive: () => alive,
      async start() {
        const proc = startProcess("nats-server", args);
        procs[i] = proc;
        alive = true;
        await waitFor(
          () => `cluster node ${name} on ${url}\n${proc.output()}`,
          async () => {
            const nc = await connect({ servers: url, reconnect: false });
            await nc.close();
            return true;
          },
        );
      },
      async kill() {
        outputs[i] += procs[i]?.output() ?? "";
        await procs[i]?.stop("SIGKILL");
        alive = false;
      },
    };
  });

  const jsz = async (node: ClusterNode): Promise<Jsz> => {
    const res = await fetch(
      `http://127.0.0.1:${node.monitorPort}/jsz?accounts=true&streams=true&config=true`,
    );
    return (await res.json()) as Jsz;
  };
  // Only the leader knows how current its followers are; the others report what they last heard.
  const streamCluster = async (stream: string) => {
    for (const node of nodes.filter((n) => n.alive())) {
      try {
        for (const a of (await jsz(node)).account_details ?? []) {
          const s = a.stream_detail?.find((d) => d.name === stream);
          if (s?.cluster?.leader === node.name) return s.cluster;
        }
      } catch {
        // that node is starting or going: ask the next one
      }
    }
    return undefined;
  };
  const output = () =>
    nodes.map((n, i) => `--- ${n.name}\n${outputs[i]}${procs[i]?.output() ?? ""}`).join("\n");
  const dispose = async () => {
    for (const n of nodes) if (n.alive()) await n.kill();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  };

  await Promise.all(nodes.map((n) => n.start()));
  // JetStream answers only once the cluster has elected its meta leader.
  await waitFor(
    () => `JetStream ready on the cluster\n${output()}`,
    async () => {
      const nc = await connect({ servers: nodes.map((n) => n.url), reconnect: false });
      try {
        await (await jetstreamManager(nc)).getAccountInfo();
        return true;
      } finally {
        await nc.close();
      }
    },
    30_000,
  );

  return {
    nodes,
    urls: nodes.map((n) => n.url),
    asServer: {
      url: (nodes[0] as ClusterNode).url,
      port: (ports[0] as { client: number }).client,
      stop: async () => {
        for (const n of nodes) if (n.alive()) await n.kill();
      },
      start: async () => {
        await Promise.all(nodes.filter((n) => !n.alive()).map((n) => n.start()));
      },
      output,
      dispose,
    },
    async streamLeader(stream) {
      const c = await streamCluster(stream);
      return nodes.find((n) => n.name === c?.leader);
    },
    async waitReplicasCurrent(stream, timeoutMs = 30_000) {
      await waitFor(
        () => `every replica of ${stream} current\n${JSON.stringify(nodes.map((n) => n.alive()))}`,
        async () => {
          const c = await streamCluster(stream);
          const replicas = c?.replicas ?? [];
          return replicas.length === nodes.length - 1 && replicas.every((r) => r.current && !r.offline);
        },
        timeoutMs,
        250,
      );
    },
    dispose,
  };
}
