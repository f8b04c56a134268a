import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { freePort } from "./ports.js";
import { type RunningProcess, startProcess } from "./process.js";
import { waitFor } from "./wait.js";

export interface NatsServer {
  url: string;
  port: number;
  /** The monitoring endpoint (`-m`: /varz, /connz), when asked for; the same port across restarts. */
  monitorUrl?: string;
  /** Stops the server but keeps its JetStream store, so start() brings the same streams back. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** What the current (or last) run printed, for failure messages. */
  output(): string;
  /** Stops the server and deletes its store. */
  dispose(): Promise<void>;
}

/** A real nats-server with JetStream on a free port and a temporary store directory. */
export async function startNatsServer(o: { port?: number; monitor?: boolean } = {}): Promise<NatsServer> {
  const port = o.port ?? (await freePort());
  const monitorPort = o.monitor ? await freePort() : undefined;
  const dir = mkdtempSync(join(tmpdir(), "tidegate-nats-"));
  const url = `nats://127.0.0.1:${port}`;
  let proc: RunningProcess | undefined;

  async function start() {
    const monitor = monitorPort === undefined ? [] : ["-m", String(monitorPort)];
    proc = startProcess("nats-server", [
      "-js",
      "-sd",
      dir,
      "-a",
      "127.0.0.1",
      "-p",
      String(port),
      ...monitor,
    ]);
    await waitFor(
      () => `nats-server on ${url}\n${proc?.output()}`,
      async () => {
        const nc = await connect({ servers: url, reconnect: false });
        await nc.close();
        return true;
      },
    );
  }
  await start();
  return {
    url,
    port,
    monitorUrl: monitorPort === undefined ? undefined : `http://127.0.0.1:${monitorPort}`,
    start,
    output: () => proc?.output() ?? "",
    async stop() {
      await proc?.stop();
    },
    async dispose() {
      await proc?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
