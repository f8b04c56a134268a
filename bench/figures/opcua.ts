import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { loadProfiles, type OpcuaProfile, parseProfile } from "@tidegate/profiles";
import { startOpcuaSimulator } from "@tidegate/simulators";
import { startOpcuaAgent } from "../../test/e2e/helpers/opcua.js";
import { freePort } from "../../test/e2e/helpers/ports.js";
import { startAgent } from "../../test/e2e/helpers/tidegate.js";
import { getJson, waitFor } from "../../test/e2e/helpers/wait.js";
import { scoped, withNatsServer, withTempDir } from "../lib/cleanup.js";
import type { Emit, Remark } from "../lib/figure.js";
import { cpuMs, statusKb } from "../lib/proc.js";
import { moduleCosts } from "./opcua-library-cost.js";

const ITEMS = 1000;
const INTERVAL_MS = 100;
const WARMUP_MS = 5_000;
const MEASURE_MS = 20_000;
/** agent.rss.max's budget plus what the issue allows OPC UA to add. */
const RSS_BUDGET_MB = 64 + 15;

interface Status {
  seq: { committed: number };
  devices: { id: string; status: string }[];
}

/** A profile of ITEMS numeric variables, each a sine of its own period, so every sample changes. */
function benchProfile(): string {
  const points = Array.from(
    { length: ITEMS },
    (_, i) =>
      `  - { id: v${i}, name: V${i}, nodeId: "s=Bench.V${i}", simulate: { kind: sine, min: 0, max: 1000, periodS: ${5 + (i % 17)} } }`,
  );
  return `kind: opcua
id: bench/opcua-1000
vendor: Bench
model: 1000 variables
source: { title: bench, url: "https://example.com/bench" }
namespace: urn:tidegate:bench
points:
${points.join("\n")}
testdata:
  - { point: v0, variant: 1, value: 1 }
`;
}

/**
 * opcua.readings_per_s, opcua.agent_cpu_ms_per_1k, opcua.agent_rss: the built agent subscribed to
 * 1,000 monitored items sampled and published every 100 ms on tidegate-sim's node-opcua server
 * (in the bench's own process), committing to its buffer and publishing to nats-server.
 */
export async function opcuaFigures(emit: Emit, remark: Remark): Promise<void> {
  await oneSourceRss(emit, remark);
  await withTempDir("opcua", (dir) =>
    withNatsServer(async (nats) => {
      const profiles = join(dir, "profiles");
      mkdirSync(join(dir, "agent"));
      mkdirSync(join(profiles, "bench"), { recursive: true });
      const text = benchProfile();
      writeFileSync(join(profiles, "bench", "opcua-1000.yaml"), text);
      const profile = parseProfile(text, "bench/opcua-1000.yaml") as OpcuaProfile;
      const sim = await startOpcuaSimulator({
        profile,
        pkiDir: join(dir, "sim"),
        port: await freePort(),
        tickMs: INTERVAL_MS,
      });
      await scoped(
        sim,
        () => sim.close(),
        async () => {
          const agent = await startAgent(
            `
version: 1
gateway: bench-opcua
http: { host: 127.0.0.1 }
nats: { servers: ["${nats.url}"] }
buffer: { path: buffer.db }
profilesDirs: ["${profiles}"]
devices:
  - id: plc-1
    profile: bench/opcua-1000
    transport:
      type: opcua
      endpoint: ${sim.endpointUrl}
      samplingIntervalMs: ${INTERVAL_MS}
      publishingIntervalMs: ${INTERVAL_MS}
      queueSize: 2
`,
            { dir: join(dir, "agent") },
          );
          await scoped(
            agent,
            () => agent.stop(),
            async () => {
              const status = () => getJson<Status>(`${agent.url}/api/v1/status`);
              await waitFor(
                "the OPC UA device ok",
                async () => (await status()).devices[0]?.status === "ok",
                60_000,
              );
              await sleep(WARMUP_MS);
              const pid = agent.process.child.pid as number;
              const before = {
                seq: (await status()).seq.committed,
                cpu: cpuMs(pid) ?? 0,
                simCpu: process.cpuUsage(),
                t: performance.now(),
              };
              let maxKb = 0;
              const end = performance.now() + MEASURE_MS;
              while (performance.now() < end) {
                await sleep(1000);
                maxKb = Math.max(maxKb, statusKb(pid, "VmRSS") ?? 0);
              }
              const after = await status();
              const elapsed = performance.now() - before.t;
              const readings = after.seq.committed - before.seq;
              const perS = (readings * 1000) / elapsed;
              const cpu = (cpuMs(pid) ?? 0) - before.cpu;
              const simUsage = process.cpuUsage(before.simCpu);
              const simShare = Math.round(((simUsage.user + simUsage.system) / 1000 / elapsed) * 100);
              const setup =
                `the built agent subscribed to ${ITEMS} monitored items (sampling and publishing every ${INTERVAL_MS} ms, ` +
                `queue 2) on tidegate-sim's node-opcua server over loopback (in the bench process, sharing the machine), ` +
                `committing to its buffer and publishing to nats-server; ${MEASURE_MS / 1000} s after ${WARMUP_MS / 1000} s warm-up`;
              emit({
                name: "opcua.readings_per_s",
                value: Math.round(perS),
                unit: "readings/s",
                note:
                  `${setup}; at most ${(ITEMS * 1000) / INTERVAL_MS} readings/s are offered; agent ` +
                  `${Math.round((cpu / elapsed) * 100)} % of a core, the simulator (bench process) ${simShare} %`,
              });
              emit({
                name: "opcua.agent_cpu_ms_per_1k",
                value: Math.round((cpu / Math.max(1, readings / 1000)) * 10) / 10,
                unit: "ms",
                note: `agent CPU (user + system, /proc/<pid>/stat) per 1,000 readings committed; ${setup}`,
              });
              const mb = Math.round((maxKb / 1024) * 10) / 10;
              emit({
                name: "opcua.agent_rss",
                value: mb,
                unit: "MB",
                budget: { max: RSS_BUDGET_MB },
                note: `largest VmRSS of the agent sampled every second while reading; ${setup}`,
              });
              if (perS < (ITEMS * 1000) / INTERVAL_MS / 2)
                remark(
                  `opcua.readings_per_s is ${Math.round(perS)} of ${(ITEMS * 1000) / INTERVAL_MS} offered, with the agent at ` +
                    `${Math.round((cpu / elapsed) * 100)} % of a core and the simulator at ${simShare} %.`,
                );
              if (mb > RSS_BUDGET_MB)
                remark(
                  `opcua.agent_rss is ${mb} MB, over agent.rss.max's budget + 15 MB (${RSS_BUDGET_MB} MB): node-opcua's client ` +
                    "(see opcua.agent_rss_one_source's finding) plus 1,000 monitored items' state and the readings in flight.",
                );
            },
          );
        },
      );
    }),
  );
}

/**
 * opcua.agent_rss_one_source: the built agent with one OPC UA device (generic/opcua-machine, nine
 * points, subscribed at the 1 s defaults) and nothing else, VmRSS sampled every second for 20 s.
 */
async function oneSourceRss(emit: Emit, remark: Remark): Promise<void> {
  await withTempDir("opcua-rss", async (dir) => {
    const profile = loadProfiles().get("generic/opcua-machine") as OpcuaProfile;
    const sim = await startOpcuaSimulator({ profile, pkiDir: join(dir, "sim") });
    await scoped(
      sim,
      () => sim.close(),
      async () => {
        const agent = await startOpcuaAgent(sim.endpointUrl, { gateway: "bench-opcua-rss" });
        await scoped(
          agent,
          () => agent.stop(),
          async () => {
            await waitFor("a first OPC UA reading", () => agent.buffered().length > 0, 60_000);
            const pid = agent.process.child.pid as number;
            let max = { rss: 0, anon: 0 };
            for (let i = 0; i < 20; i++) {
              await sleep(1000);
              const rss = statusKb(pid, "VmRSS") ?? 0;
              if (rss > max.rss) max = { rss, anon: statusKb(pid, "RssAnon") ?? 0 };
            }
            const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;
            emit({
              name: "opcua.agent_rss_one_source",
              value: mb(max.rss),
              unit: "MB",
              budget: { max: RSS_BUDGET_MB },
              note:
                `largest VmRSS (${mb(max.anon)} MB of it RssAnon) of the built agent with one OPC UA device of nine points ` +
                "subscribed at 1 s on tidegate-sim, no other device, NATS down (readings buffered); 20 s after the first reading",
            });
            if (mb(max.rss) > RSS_BUDGET_MB) remark(libraryFinding(mb(max.rss)));
          },
        );
      },
    );
  });
}

/**
 * Why an agent with OPC UA misses the budget: what node-opcua-client and what it loads cost a fresh
 * node started with the agent's flags, step by step (the agent imports nothing else of node-opcua).
 */
function libraryFinding(rssMb: number): string {
  const costs = moduleCosts([
    "node-opcua-types",
    "node-opcua-secure-channel",
    "node-opcua-certificate-manager",
    "node-opcua-client",
  ]);
  const [bare, ...steps] = costs;
  const total = steps.reduce((sum, c) => sum + c.rssMb, 0);
  const parts = steps
    .map((c) => `${c.module} +${c.rssMb} MB VmRSS (${c.anonMb} MB RssAnon, ${c.heapMb} MB V8 heap)`)
    .join(", ");
  return (
    `opcua.agent_rss_one_source is ${rssMb} MB, over agent.rss.max's budget + 15 MB (${RSS_BUDGET_MB} MB). ` +
    `The agent imports only node-opcua-client and node-opcua-certificate-manager (not the umbrella node-opcua), lazily with the ` +
    `first OPC UA device. Imported one after another into a fresh node with the agent's flags (${bare?.rssMb} MB bare): ${parts}; ` +
    `${Math.round(total * 10) / 10} MB in all. node-opcua-types (every OPC UA structure, generated, 1.2 MB of source kept in the heap) ` +
    "and the secure channel are what any node-opcua client needs; about 8 MB of its heap are strings, mostly the modules' source text V8 keeps. " +
    "Reaching the budget would take a lighter OPC UA client library or the client in a process of its own (which costs a second node)."
  );
}
