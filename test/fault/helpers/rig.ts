import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadProfiles, type Profile } from "@tidegate/profiles";
import { type ModbusTcpSimulator, startModbusTcpSimulator } from "@tidegate/simulators";
import { type NatsServer, startNatsServer } from "../../e2e/helpers/nats.js";
import { type NatsCluster, startNatsCluster } from "../../e2e/helpers/nats-cluster.js";
import { METER_POINTS } from "../../e2e/helpers/system.js";
import {
  type Restartable,
  type StartedAgent,
  startAgent,
  startCollector,
} from "../../e2e/helpers/tidegate.js";
import { waitFor } from "../../e2e/helpers/wait.js";
import type { AgentKnobs } from "../../helpers/bin/knobs.js";
import { storedCount } from "./count.js";

export interface RigOptions {
  gateway: string;
  /** Collector processes; more than one share the durable consumer and one data dir. */
  collectors?: number;
  pollIntervalMs?: number;
  commitIntervalMs?: number;
  /** Small batches mean many publish → PubAck → delete cycles for a kill to land in. */
  batchSize?: number;
  /** Extra keys for the agent's `buffer:` mapping, as YAML flow entries ("maxSize: 64KB"). */
  buffer?: string;
  /** The agent's buffer file (default buffer.db in the agent's temp dir). */
  bufferPath?: string;
  /** Test knobs for the agent (test/helpers/bin/knobs.ts), kept across its restarts. */
  agentKnobs?: AgentKnobs;
  /** Extra keys for the agent's `uplink:` mapping, as YAML flow entries ("backfillRatePerS: 50"). */
  uplink?: string;
  /** A three-node JetStream cluster instead of one server; agent and collectors get every URL. */
  cluster?: boolean;
}

export interface Rig {
  gateway: string;
  nats: NatsServer;
  /** The cluster behind `nats`, when the rig runs on one. */
  cluster?: NatsCluster;
  collectors: Restartable[];
  agent: StartedAgent;
  /** The collectors' shared SQLite file. */
  dbPath: string;
  pollIntervalMs: number;
  commitIntervalMs: number;
  /** Readings per poll of each device (every point of its profile). */
  pointsPerPoll: Record<string, number>;
  /** Stops producing without losing anything: SIGTERM (the agent commits what it holds), then
   * the same agent on the same buffer with no devices, so it only forwards its backlog. */
  stopProducing(): Promise<void>;
  /** Waits until the collector has stored at least `n` readings of the gateway. */
  waitStored(n: number, timeoutMs?: number): Promise<number>;
  /** Tails of every process's output, for failure messages. */
  context(): string;
  /** Registers a clean-up that dispose() runs first (last registered, first run). */
  defer(cleanup: () => Promise<unknown>): void;
  dispose(): Promise<void>;
}

const tail = (name: string, text: string) => `----- ${name} (last 4000 chars) -----\n${text.slice(-4000)}`;

/**
 * Everything on real processes: nats-server (JetStream, file store), the built collector(s) and
 * agent, and two Modbus TCP simulators in this process that the agent polls continuously.
 * Whatever fails half-way, dispose() ends every process and deletes every temp dir.
 */
export async function startRig(o: RigOptions): Promise<Rig> {
  const pollIntervalMs = o.pollIntervalMs ?? 150;
  const commitIntervalMs = o.commitIntervalMs ?? 50;
  const all = loadProfiles();
  const meterProfile = all.get("eastron/sdm120") as Profile;
  const climateProfile = all.get("sonbest/xy-md02") as Profile;
  const dataDir = mkdtempSync(join(tmpdir(), "tidegate-fault-collector-"));
  const agentDir = mkdtempSync(join(tmpdir(), "tidegate-fault-agent-"));
  const disposers: (() => Promise<unknown>)[] = [
    async () => rmSync(dataDir, { recursive: true, force: true }),
    async () => rmSync(agentDir, { recursive: true, force: true }),
  ];
  const dispose = async () => {
    for (const d of disposers.splice(0).reverse()) await d().catch(() => {});
  };
  const collectors: Restartable[] = [];
  let agent: StartedAgent | undefined;
  let nats: NatsServer | undefined;
  let cluster: NatsCluster | undefined;
  const context = () =>
    [
      ...(agent ? [tail(`agent (${agent.runs()} runs)`, agent.output())] : []),
      ...collectors.map((c, i) => tail(`collector-${i + 1} (${c.runs()} runs)`, c.output())),
      ...(nats ? [tail("nats-server", nats.output())] : []),
    ].join("\n");

  try {
    if (o.cluster) {
      cluster = await startNatsCluster();
      nats = cluster.asServer;
    } else nats = await startNatsServer();
    disposers.push((nats as NatsServer).dispose);
    const natsUrls = cluster ? cluster.urls : [nats.url];
    const meter = await startModbusTcpSimulator({ profile: meterProfile, port: 0, tickMs: 100, seed: 1 });
    disposers.push(() => meter.close());
    const climate = await startModbusTcpSimulator({ profile: climateProfile, port: 0, tickMs: 100, seed: 2 });
    disposers.push(() => climate.close());
    for (let i = 0; i < (o.collectors ?? 1); i++) {
      // A killed collector's un-acked batches come back after ack_wait: 5 s instead of 30 keeps
      // the scenarios short and still makes every kill wait for a redelivery.
      const c = await startCollector(natsUrls.join(","), { dir: dataDir, env: { TIDEGATE_ACK_WAIT_S: "5" } });
      collectors.push(c);
      disposers.push(() => c.kill("SIGKILL"));
    }
    const config = (sims: ModbusTcpSimulator[]) =>
      agentConfig({ ...o, pollIntervalMs, commitIntervalMs }, natsUrls, sims);
    agent = await startAgent(config([meter, climate]), { dir: agentDir, knobs: o.agentKnobs });
    const a = agent;
    disposers.push(() => a.kill("SIGKILL"));
    const dbPath = join(dataDir, "collector.db");
    const storedNow = () => storedCount(dbPath, o.gateway);
    return {
      gateway: o.gateway,
      nats,
      ...(cluster ? { cluster } : {}),
      collectors,
      agent: a,
      dbPath,
      pollIntervalMs,
      commitIntervalMs,
      pointsPerPoll: { "meter-1": METER_POINTS.length, "climate-1": climateProfile.points.length },
      async stopProducing() {
        if (a.alive()) await a.kill("SIGTERM");
        writeFileSync(a.configFile, config([]));
        await a.start();
      },
      waitStored: (n, timeoutMs = 20_000) =>
        waitFor(
          () => `${n} readings stored at the collector\n${context()}`,
          () => (storedNow() >= n ? storedNow() : undefined),
          timeoutMs,
          200,
        ),
      context,
      defer: (cleanup) => void disposers.push(cleanup),
      dispose,
    };
  } catch (err) {
    const why = context();
    await dispose();
    throw new Error(`${(err as Error).message}\n${why}`);
  }
}

function agentConfig(
  o: RigOptions & { pollIntervalMs: number; commitIntervalMs: number },
  natsUrls: string[],
  sims: ModbusTcpSimulator[],
) {
  const [meter, climate] = sims;
  const devices =
    meter && climate
      ? `
  - id: meter-1
    profile: eastron/sdm120
    transport: { type: tcp, host: 127.0.0.1, port: ${meter.port} }
    pollIntervalMs: ${o.pollIntervalMs}
    points: [${METER_POINTS.join(", ")}]
  - id: climate-1
    profile: sonbest/xy-md02
    transport: { type: tcp, host: 127.0.0.1, port: ${climate.port} }
    pollIntervalMs: ${o.pollIntervalMs}`
      : " []";
  return `
version: 1
gateway: ${o.gateway}
http: { host: 127.0.0.1 }
nats: { servers: [${natsUrls.map((u) => `"${u}"`).join(", ")}], heartbeatIntervalMs: 500 }
buffer: { path: ${o.bufferPath ?? "buffer.db"}, commitIntervalMs: ${o.commitIntervalMs}${o.buffer ? `, ${o.buffer}` : ""} }
uplink: { lingerMs: 50, batchSize: ${o.batchSize ?? 200}${o.uplink ? `, ${o.uplink}` : ""} }
devices:${devices}
`;
}
