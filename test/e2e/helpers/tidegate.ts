import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type AgentKnobs, type CollectorKnobs, underTestArgs } from "../../helpers/bin/knobs.js";
import { freePort } from "./ports.js";
import { type RunningProcess, startProcess } from "./process.js";
import { getJson, waitFor } from "./wait.js";

const root = fileURLToPath(new URL("../../..", import.meta.url));
export const agentCli = join(root, "agent/dist/cli.js");
export const collectorCli = join(root, "collector/dist/cli.js");

export interface Started {
  url: string;
  dir: string;
  process: RunningProcess;
  stop(): Promise<void>;
}

/**
 * A program that can die and come back: fault tests kill it (SIGKILL runs no shutdown code) and
 * start it again on the same directory and port, as a supervisor (systemd) would after a crash.
 */
export interface Restartable extends Started {
  port: number;
  /** Ends the current process with `signal` and waits for it to exit; the directory stays. */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  /** Starts the program again on the same dir and port; `process` then points at the new run. */
  start(): Promise<void>;
  /** Whether the current process is still running. */
  alive(): boolean;
  /** How many times the program was started. */
  runs(): number;
  /** The output of every run so far (each headed by its run number), for failure messages. */
  output(): string;
}

export interface StartedAgent extends Restartable {
  /** The agent's config file; rewrite it between kill() and start() to change the next run. */
  configFile: string;
}

export interface ServeOptions {
  /** Serve on this port instead of a free one. */
  port?: number;
  /** Use this directory instead of a new temp dir; it is then the caller's to delete. */
  dir?: string;
  /** Extra environment for the process. */
  env?: NodeJS.ProcessEnv;
  /** Node flags before the program (node refuses some, e.g. --cpu-prof, in NODE_OPTIONS). */
  nodeFlags?: string[];
}

/** Runs a built program that serves HTTP on `port`, waits until its API answers, and can restart it. */
async function startServing(
  name: string,
  args: string[],
  port: number,
  dir: string,
  ownsDir: boolean,
  env?: NodeJS.ProcessEnv,
): Promise<Restartable> {
  const url = `http://127.0.0.1:${port}`;
  let proc: RunningProcess | undefined;
  let runs = 0;
  let earlier = ""; // output of finished runs, so a crash loop stays debuggable

  async function start() {
    if (proc) earlier = `${earlier}--- ${name} run ${runs} ---\n${proc.output()}`.slice(-100_000);
    const current = startProcess("node", args, { env });
    proc = current;
    runs += 1;
    await waitFor(
      () => `${name} at ${url}\n${current.output()}`,
      () => {
        if (current.child.exitCode !== null) throw new Error(`${name} exited: ${current.output()}`);
        return getJson(`${url}/api/v1/info`).then(() => true);
      },
    );
  }
  const alive = () => proc !== undefined && proc.child.exitCode === null && proc.child.signalCode === null;

  await start();
  return {
    url,
    dir,
    port,
    get process() {
      return proc as RunningProcess;
    },
    start,
    alive,
    runs: () => runs,
    async kill(signal: NodeJS.Signals = "SIGKILL") {
      return (await proc?.stop(signal)) ?? null;
    },
    output: () => `${earlier}--- ${name} run ${runs} ---\n${proc?.output() ?? ""}`,
    async stop() {
      await proc?.stop();
      if (ownsDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The collector's node arguments; with a knob set, they run test/helpers/bin/collector-under-test.ts instead of the CLI. */
export const collectorArgs = (natsUrl: string, port: number, dir: string, knobs: CollectorKnobs = {}) => {
  const args = ["--nats", natsUrl, "--port", String(port), "--host", "127.0.0.1", "--data-dir", dir];
  return underTestArgs("collector", args, knobs) ?? [collectorCli, ...args];
};
/**
 * The environment and node flags of the agent's own launcher (the #! line of agent/dist/cli.js),
 * so tests and benchmarks run it as installed.
 */
export const AGENT_ENV = { MALLOC_ARENA_MAX: "1" };
export const AGENT_NODE_FLAGS = ["--max-semi-space-size=1", "--optimize-for-size"];
/** The agent's node arguments; with a knob set, they run test/helpers/bin/agent-under-test.ts instead of the CLI. */
export const agentArgs = (configFile: string, port: number, knobs: AgentKnobs = {}) => {
  const args = ["--config", configFile, "--port", String(port)];
  return [...AGENT_NODE_FLAGS, ...(underTestArgs("agent", args, knobs) ?? [agentCli, ...args])];
};

/** Runs the built collector (npm test builds first) against a NATS URL, on a free HTTP port. */
export async function startCollector(
  natsUrl: string,
  options: ServeOptions & { knobs?: CollectorKnobs } = {},
): Promise<Restartable> {
  const port = options.port ?? (await freePort());
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "tidegate-collector-"));
  const args = [...(options.nodeFlags ?? []), ...collectorArgs(natsUrl, port, dir, options.knobs)];
  return startServing("collector", args, port, dir, options.dir === undefined, options.env);
}

/** Writes `configYaml` to a temp dir and runs the built agent with it, on a free HTTP port. */
export async function startAgent(
  configYaml: string,
  options: ServeOptions & { knobs?: AgentKnobs } = {},
): Promise<StartedAgent> {
  const port = options.port ?? (await freePort());
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "tidegate-agent-"));
  const configFile = join(dir, "agent.yaml");
  writeFileSync(configFile, configYaml);
  const args = [...(options.nodeFlags ?? []), ...agentArgs(configFile, port, options.knobs)];
  const env = { ...AGENT_ENV, ...options.env };
  const started = await startServing("agent", args, port, dir, options.dir === undefined, env);
  return Object.assign(started, { configFile });
}
