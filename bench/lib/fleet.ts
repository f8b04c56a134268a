import { type StartedAgent, startAgent } from "../../test/e2e/helpers/tidegate.js";
import { scoped } from "./cleanup.js";
import { connectWithStream } from "./nats.js";
import { startWorker, type Worker } from "./worker.js";

export interface FleetOptions {
  natsUrl: string;
  gateway: string;
  devices: number;
  profiles: readonly string[];
  pollMs: number;
  /** Node flags before the agent's own (e.g. --trace-gc). */
  nodeFlags?: string[];
}

/**
 * A built agent polling `devices` simulated Modbus TCP devices (their servers in one worker
 * process, profiles alternating) and publishing to nats-server with the stream in place, as the
 * collector would create it. Runs `fn`, then stops everything.
 */
export async function withAgentFleet<T>(
  o: FleetOptions,
  fn: (agent: StartedAgent, sims: Worker) => Promise<T>,
): Promise<T> {
  await (await connectWithStream(o.natsUrl)).close();
  const sims = await startWorker(new URL("../workers/simulators.ts", import.meta.url), "simulators");
  try {
    const devices = await sims.call<{ port: number; profile: string }[]>("start", {
      count: o.devices,
      profiles: o.profiles,
      tickMs: o.pollMs,
    });
    const yaml = [
      "version: 1",
      `gateway: ${o.gateway}`,
      "http: { host: 127.0.0.1 }",
      `nats: { servers: ["${o.natsUrl}"] }`,
      "buffer: { path: buffer.db }",
      "devices:",
      ...devices.map(
        (d, i) =>
          `  - { id: dev-${i + 1}, profile: ${d.profile}, transport: { type: tcp, host: 127.0.0.1, port: ${d.port} }, pollIntervalMs: ${o.pollMs} }`,
      ),
      "",
    ].join("\n");
    const agent = await startAgent(yaml, { nodeFlags: o.nodeFlags });
    return await scoped(
      agent,
      () => agent.stop(),
      () => fn(agent, sims),
    );
  } finally {
    await sims.call("stop").catch(() => {});
    await sims.dispose();
  }
}
