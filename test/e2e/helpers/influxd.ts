import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports.js";
import { type RunningProcess, startProcess } from "./process.js";
import { waitFor } from "./wait.js";

export interface Influxd {
  url: string;
  /** InfluxQL over /query (POST, so CREATE and DROP work too); the JSON answer. */
  query(
    q: string,
    db?: string,
  ): Promise<{ results: { series?: { columns: string[]; values: unknown[][] }[]; error?: string }[] }>;
  output(): string;
  dispose(): Promise<void>;
}

/** Debian's influxdb package puts influxd in /usr/bin; setup installs it. */
export const INFLUXD = ["/usr/bin/influxd", "/usr/sbin/influxd"].find((p) => existsSync(p)) ?? "influxd";

/**
 * A real InfluxDB 1.x (Debian's influxdb package) on free loopback ports with a generated config:
 * data, meta and WAL in a temp dir, no usage reporting, no _internal monitor database. The
 * system's own influxd service (8086/8088), if any, is neither used nor disturbed.
 */
export async function startInfluxd(options: { httpPort?: number } = {}): Promise<Influxd> {
  const dir = mkdtempSync(join(tmpdir(), "tidegate-influxd-"));
  const httpPort = options.httpPort ?? (await freePort());
  const rpcPort = await freePort();
  const config = join(dir, "influxd.conf");
  writeFileSync(
    config,
    `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${join(dir, "meta")}"
[data]
  dir = "${join(dir, "data")}"
  wal-dir = "${join(dir, "wal")}"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
`,
  );
  const url = `http://127.0.0.1:${httpPort}`;
  const proc: RunningProcess = startProcess(INFLUXD, ["run", "-config", config]);
  await waitFor(
    () => `influxd at ${url}\n${proc.output().slice(-2000)}`,
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`influxd exited: ${proc.output()}`);
      return (await fetch(`${url}/ping`)).status === 204;
    },
  );
  return {
    url,
    async query(q, db) {
      const body = new URLSearchParams({ q, epoch: "ms", ...(db ? { db } : {}) });
      const res = await fetch(`${url}/query`, { method: "POST", body });
      if (!res.ok) throw new Error(`influxd /query: HTTP ${res.status} ${await res.text()}`);
      return res.json() as ReturnType<Influxd["query"]>;
    },
    output: () => proc.output(),
    async dispose() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
