import { join } from "node:path";
import { type Emit, perSecond, type Remark } from "../lib/figure.js";
import { purgeTelemetry } from "../lib/nats.js";
import { type Drained, withPipeline } from "../lib/pipeline.js";
import { cpuMs } from "../lib/proc.js";

const N = 1_000_000;
const DRAIN_LIMIT_MS = 60_000;
/** The agent's defaults (agent/src/config/schema.ts), then the fastest e2e settings. */
const SETTINGS = [
  { batchSize: 500, maxInFlight: 8 },
  { batchSize: 2000, maxInFlight: 32 },
] as const;

/**
 * backlog.drain_1m: an agent buffer holding 1,000,000 readings (an outage's worth) drained by a
 * freshly started createUplink to nats-server with the stream in place, in the agent-side worker
 * process; timed from uplink.start() (so connecting counts) until the last PubAck was applied,
 * which leaves the backlog at 0.
 */
export async function backlogFigures(emit: Emit, remark: Remark): Promise<void> {
  await withPipeline("backlog", { collector: false }, async (p) => {
    const template = join(p.dir, "template.db");
    const filled = await p.agent.call<{ ms: number }>("fill", { path: template, n: N }, 120_000);
    const results: {
      batchSize: number;
      maxInFlight: number;
      seconds: number;
      agentCpu: number;
      natsCpu?: number;
    }[] = [];
    for (const s of SETTINGS) {
      await purgeTelemetry(p.nc);
      const nats0 = p.natsPid ? cpuMs(p.natsPid) : undefined;
      const d = await p.agent.call<Drained>(
        "drain",
        {
          template,
          path: join(p.dir, `buffer-${s.batchSize}-${s.maxInFlight}.db`),
          url: p.url,
          gateway: `bench-backlog-${s.batchSize}-${s.maxInFlight}`,
          batchSize: s.batchSize,
          maxInFlight: s.maxInFlight,
          lastSeq: N,
          timeoutMs: DRAIN_LIMIT_MS,
        },
        DRAIN_LIMIT_MS + 10_000,
      );
      const nats1 = p.natsPid ? cpuMs(p.natsPid) : undefined;
      const ms = d.drainedAt - d.startedAt;
      const r = {
        ...s,
        seconds: Math.round(ms / 10) / 100,
        agentCpu: d.cpuMs / ms,
        natsCpu: nats0 !== undefined && nats1 !== undefined ? (nats1 - nats0) / ms : undefined,
      };
      results.push(r);
      process.stderr.write(
        `bench: backlog batch ${s.batchSize} maxInFlight ${s.maxInFlight}: ${r.seconds} s (${perSecond(N, ms)} readings/s)\n`,
      );
    }
    const [defaults, tuned] = results as [(typeof results)[0], (typeof results)[0]];
    const cpu = (r: (typeof results)[0]) =>
      `agent process ${Math.round(r.agentCpu * 100)} % of a core` +
      (r.natsCpu === undefined ? "" : `, nats-server ${Math.round(r.natsCpu * 100)} %`);
    emit({
      name: "backlog.drain_1m",
      value: defaults.seconds,
      unit: "s",
      budget: { max: 5 },
      note:
        `a buffer of 1,000,000 committed readings (filled beforehand in ${(filled.ms / 1000).toFixed(1)} s) drained by ` +
        `a freshly started createUplink with the agent's defaults (batchSize ${defaults.batchSize}, maxInFlight ` +
        `${defaults.maxInFlight}) to nats-server with the stream in place and no consumer; timed from start() until ` +
        `the last PubAck was applied (backlog 0), ${perSecond(N, defaults.seconds * 1000)} readings/s; ${cpu(defaults)}`,
    });
    emit({
      name: `backlog.drain_1m.batch${tuned.batchSize}.inflight${tuned.maxInFlight}`,
      value: tuned.seconds,
      unit: "s",
      budget: { max: 5 },
      note: `as backlog.drain_1m with batchSize ${tuned.batchSize} and maxInFlight ${tuned.maxInFlight}; ${cpu(tuned)}`,
    });
    if (defaults.seconds > 5 && defaults.agentCpu > 0.7)
      remark(
        `backlog.drain_1m takes ${defaults.seconds} s against a 5 s budget, and the agent process is what limits ` +
          `it: ${Math.round(defaults.agentCpu * 100)} % of a core busy during the drain (${Math.round(tuned.agentCpu * 100)} % ` +
          `with batchSize ${tuned.batchSize}, maxInFlight ${tuned.maxInFlight}) while nats-server used ` +
          `${defaults.natsCpu === undefined ? "?" : Math.round(defaults.natsCpu * 100)} %: reading rows back ` +
          "(readRun), encodeBatchColumns and markSent all run on the uplink's one thread.",
      );
  });
}
