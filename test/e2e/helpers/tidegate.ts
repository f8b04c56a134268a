import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
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

/** Runs a built program that serves HTTP on `port`, and waits until its API answers. */
async function startServing(name: string, args: string[], port: number, dir: string): Promise<Started> {
  const proc = startProcess("node", args);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${name} at ${url}`, () => {
    if (proc.child.exitCode !== null) throw new Error(`${name} exited: ${proc.output()}`);
    return getJson(`${url}/api/v1/info`).then(() => true);
  });
  return {
    url,
    dir,
    process: proc,
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs the built collector (npm test builds first) against a NATS URL, on a free HTTP port. */
export async function startCollector(natsUrl: string): Promise<Started> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "tidegate-collector-"));
  const args = [
    collectorCli,
    "--nats",
    natsUrl,
    "--port",
    String(port),
    "--host",
    "127.0.0.1",
    "--data-dir",
    dir,
  ];
  return startServing("collector", args, port, dir);
}

/** Writes `configYaml` to a temp dir and runs the built agent with it, on a free HTTP port. */
export async function startAgent(configYaml: string): Promise<Started> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "tidegate-agent-"));
  const configFile = join(dir, "agent.yaml");
  writeFileSync(configFile, configYaml);
  return startServing("agent", [agentCli, "--config", configFile, "--port", String(port)], port, dir);
}
