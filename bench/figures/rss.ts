import { spawn } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { AGENT_ENV, AGENT_NODE_FLAGS, agentCli } from "../../test/e2e/helpers/tidegate.js";
import { getJson } from "../../test/e2e/helpers/wait.js";
import { withNatsServer } from "../lib/cleanup.js";
import type { Emit, Remark } from "../lib/figure.js";
import { withAgentFleet } from "../lib/fleet.js";
import { cpuMs, fileRssKb, statusKb } from "../lib/proc.js";
import { slope } from "../lib/stats.js";

const DEVICES = 50;
const PROFILES = ["eastron/sdm120", "sonbest/xy-md02"];
const POLL_MS = 1000;
/** The issue asks for 10 minutes; the default bench run samples for this long (--rss-minutes). */
export const DEFAULT_RSS_MINUTES = 3;
const SAMPLE_EVERY_MS = 30_000;

interface AgentStatus {
  uptimeS: number;
  seq: { committed: number; acked: number };
  buffer: { backlog: number; dropped: Record<string, number> };
  devices: { id: string; status: string }[];
}

export interface RssOptions {
  minutes: number;
  /** Called once the agent is up and polling, i.e. when sampling starts. */
  started?: () => void;
}

const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;
const nodeBinary = realpathSync(process.execPath);
/** How the agent's launcher (the #! line of agent/dist/cli.js) starts it; the bench starts it the same way. */
const launcher = [
  ...Object.entries(AGENT_ENV).map(([k, v]) => `${k}=${v}`),
  "node",
  ...AGENT_NODE_FLAGS,
].join(" ");

/** VmRSS, RssFile and the node binary's resident pages (kB) of a bare `node` process that does nothing, for scale. */
async function bareNode(): Promise<{ rss: number; file: number; binary: number }> {
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 5000)"], { stdio: "ignore" });
  try {
    await sleep(1000);
    const pid = child.pid as number;
    return {
      rss: statusKb(pid, "VmRSS") ?? Number.NaN,
      file: statusKb(pid, "RssFile") ?? Number.NaN,
      binary: fileRssKb(pid, nodeBinary) ?? Number.NaN,
    };
  } finally {
    child.kill("SIGKILL");
  }
}

/**
 * agent.rss.max / agent.rss.slope: the built agent (agent/dist/cli.js) as a real process polling 50
 * simulated Modbus TCP devices at 1 Hz and publishing to a real nats-server (stream created by
 * ensureTelemetryStream, no collector); VmRSS from /proc/<pid>/status every 30 s.
 */
export async function rssFigures(emit: Emit, remark: Remark, options: RssOptions): Promise<void> {
  if (!existsSync(agentCli))
    throw new Error(`${agentCli} is missing: run \`npm run build\` first (npm run bench does)`);
  const durationMs = options.minutes * 60_000;
  // A short --rss-minutes still gets a handful of samples.
  const everyMs = Math.min(SAMPLE_EVERY_MS, durationMs / 6);
  const sampleCount = Math.max(1, Math.round(durationMs / everyMs));

  await withNatsServer((server) =>
    withAgentFleet(
      { natsUrl: server.url, gateway: "bench-rss", devices: DEVICES, profiles: PROFILES, pollMs: POLL_MS },
      async (agent, sims) => {
        const pid = agent.process.child.pid as number;
        options.started?.();
        const start = performance.now();
        const cpu0 = { agent: cpuMs(pid) ?? 0, sims: cpuMs(sims.pid) ?? 0 };
        const samples: [number, number][] = []; // [minutes since start, VmRSS kB]
        let split = { anon: 0, file: 0, binary: 0 }; // of the largest sample
        for (let i = 0; i <= sampleCount; i++) {
          if (i > 0) await sleep(Math.max(0, start + i * everyMs - performance.now()));
          const kb = statusKb(pid, "VmRSS");
          if (kb === undefined || !agent.alive())
            throw new Error(`agent exited after ${samples.length} samples:\n${agent.output().slice(-2000)}`);
          if (samples.every(([, earlier]) => kb > earlier))
            split = {
              anon: statusKb(pid, "RssAnon") ?? 0,
              file: statusKb(pid, "RssFile") ?? 0,
              binary: fileRssKb(pid, nodeBinary) ?? 0,
            };
          samples.push([(performance.now() - start) / 60_000, kb]);
        }
        const elapsedMs = performance.now() - start;
        const hwm = statusKb(pid, "VmHWM");
        const cpu = {
          agent: ((cpuMs(pid) ?? 0) - cpu0.agent) / elapsedMs,
          sims: ((cpuMs(sims.pid) ?? 0) - cpu0.sims) / elapsedMs,
        };
        const status = await getJson<AgentStatus>(`${agent.url}/api/v1/status`);
        const ok = status.devices.filter((d) => d.status === "ok").length;
        const perS = Math.round(status.seq.committed / Math.max(1, status.uptimeS));
        const maxKb = Math.max(...samples.map(([, kb]) => kb));
        // The first sample is taken right after start-up; the trend is fitted from the second one on.
        const trend = slope(samples.slice(1).map(([m, kb]) => [m, kb / 1024]));
        const setup =
          `the built agent (agent/dist/cli.js, started as its #! line does: ${launcher}) polling ${DEVICES} simulated Modbus TCP devices (${DEVICES} simulator ` +
          `servers in one worker process, ${PROFILES.join(" and ")} alternating) every ${POLL_MS} ms, default ` +
          `buffer and uplink settings, publishing to nats-server (stream in place, no collector); ` +
          `${ok}/${DEVICES} devices ok at the end, ${perS} readings/s committed, ${status.seq.acked.toLocaleString("en-US")} of ` +
          `${status.seq.committed.toLocaleString("en-US")} acked, backlog ${status.buffer.backlog}; ${options.minutes} min ` +
          `(--rss-minutes; the issue asks for 10), VmRSS every ${Math.round(everyMs / 1000)} s ` +
          `(${samples.map(([, kb]) => mb(kb)).join(", ")} MB); agent used ${Math.round(cpu.agent * 100)} % of a core, ` +
          `the simulators ${Math.round(cpu.sims * 100)} %; MB = 1024 × 1024 bytes`;
        emit({
          name: "agent.rss.max",
          value: mb(maxKb),
          unit: "MB",
          budget: { max: 64 },
          note:
            `largest VmRSS sampled from /proc/<pid>/status (${mb(split.anon)} MB RssAnon, the process's own memory, + ` +
            `${mb(split.file)} MB RssFile, mapped files, ${mb(split.binary)} MB of them the node binary's pages, ` +
            `shared with other node processes; peak ` +
            `VmHWM ${hwm === undefined ? "?" : mb(hwm)} MB); ${setup}`,
        });
        emit({
          name: "agent.rss.slope",
          value: Math.round(trend * 100) / 100,
          unit: "MB/min",
          note: "least-squares slope of those VmRSS samples over time, from the second sample on (the first is start-up)",
        });
        if (ok < DEVICES)
          remark(`agent.rss: only ${ok} of ${DEVICES} devices were ok at the end of the run.`);
        if (maxKb > 64 * 1024) {
          const bare = await bareNode();
          remark(
            `agent.rss.max is ${mb(maxKb)} MB against a 64 MB budget. Of the largest sample, ${mb(split.anon)} MB ` +
              `is the agent's own memory (RssAnon: V8 heap, SQLite, buffers) and ${mb(split.file)} MB mapped files ` +
              `(RssFile), ${mb(split.binary)} MB of them the node binary's pages: the code and built-in modules ` +
              `the agent runs (http, tls, crypto, undici, ...). A bare \`node -e\` process on this machine is already ` +
              `${mb(bare.rss)} MB VmRSS (${mb(bare.file)} MB RssFile, ${mb(bare.binary)} MB of it the node binary), ` +
              `so a 64 MB VmRSS budget leaves ${mb(64 * 1024 - bare.rss)} MB for everything the agent adds.`,
          );
        }
        const swings = samples
          .slice(2)
          .map(([, kb], i) => Math.abs(kb - (samples[i + 1] as [number, number])[1]));
        if (options.minutes < 10 && swings.length > 0)
          remark(
            `agent.rss.slope: consecutive samples differ by up to ${mb(Math.max(...swings))} MB (garbage ` +
              `collection), so a ${options.minutes}-minute slope is a weak signal of a leak; for the issue's ` +
              "10 minutes: `npx tsx bench/run.ts --only=rss --rss-minutes=10`.",
          );
      },
    ),
  );
}
