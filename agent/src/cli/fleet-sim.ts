import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { TidegateError } from "@tidegate/protocol";
import pino from "pino";
import { type FleetTotals, startVirtualFleet } from "../fleet/virtual-fleet.js";

export const FLEET_SIM_USAGE = `Usage: tidegate-agent fleet-sim [--count 1000] [--points 50] [--interval-ms 1000]
                                [--nats nats://127.0.0.1:4222[,...]] [--prefix gw] [--first 1]
                                [--dir <folder>] [--duration-s <s>] [--heartbeat-ms 5000]

Runs --count virtual gateways in this process for load tests and demos: each reads --points
values every --interval-ms into its own buffer file and sends them, with heartbeats, through this
agent's own buffer and uplink code (the wire a real agent speaks). Gateway ids are <prefix>-0001...
Progress goes to stderr every 10 s. With --duration-s it stops reading after that long, waits until
every buffer is sent, prints the totals as one JSON line and exits; otherwise Ctrl-C ends it.
Buffer files go to --dir (default: a temporary folder, deleted at exit).`;

export class FleetSimUsageError extends TidegateError {
  override name = "FleetSimUsageError";
  readonly code = "usage";
  override readonly hint = FLEET_SIM_USAGE;
}

function positiveInt(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new FleetSimUsageError(`--${name} must be a whole number ≥ 1, got "${text}"`);
  return n;
}

export function parseFleetSimArgs(args: string[]) {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        count: { type: "string" },
        points: { type: "string" },
        "interval-ms": { type: "string" },
        nats: { type: "string" },
        prefix: { type: "string" },
        first: { type: "string" },
        dir: { type: "string" },
        "duration-s": { type: "string" },
        "heartbeat-ms": { type: "string" },
      },
    }));
  } catch (err) {
    throw new FleetSimUsageError((err as Error).message);
  }
  const str = (k: string) => values[k] as string | undefined;
  const prefix = str("prefix") ?? "gw";
  if (!/^[a-z0-9-]+$/.test(prefix))
    throw new FleetSimUsageError(
      `--prefix "${prefix}": use lowercase letters, digits and '-' (it becomes a NATS subject)`,
    );
  return {
    count: positiveInt("count", str("count"), 1000),
    points: positiveInt("points", str("points"), 50),
    intervalMs: positiveInt("interval-ms", str("interval-ms"), 1000),
    heartbeatIntervalMs: positiveInt("heartbeat-ms", str("heartbeat-ms"), 5000),
    servers: (str("nats") ?? process.env.TIDEGATE_NATS_URL ?? "nats://127.0.0.1:4222").split(","),
    prefix,
    firstIndex: positiveInt("first", str("first"), 1),
    dir: str("dir"),
    durationS: str("duration-s") === undefined ? undefined : positiveInt("duration-s", str("duration-s"), 1),
  };
}

const line = (t: FleetTotals) =>
  `${t.connected}/${t.gateways} connected, ${t.committed} readings committed, ${t.acked} acked, backlog ${t.backlog}`;

export async function runFleetSim(args: string[]): Promise<number> {
  const o = parseFleetSimArgs(args);
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), "tidegate-fleet-sim-"));
  const log = pino({ name: "tidegate-fleet-sim", level: process.env.TIDEGATE_LOG_LEVEL ?? "warn" });
  console.error(
    `fleet-sim: ${o.count} gateways × ${o.points} points every ${o.intervalMs} ms to ${o.servers.join(", ")}; buffers in ${dir}`,
  );
  const fleet = startVirtualFleet({ ...o, dir, log });
  const progress = setInterval(() => console.error(`fleet-sim: ${line(fleet.totals())}`), 10_000);
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  process.once("SIGINT", () => stop());
  process.once("SIGTERM", () => stop());
  try {
    if (o.durationS === undefined) {
      await stopped;
    } else {
      await Promise.race([sleep(o.durationS * 1000), stopped]);
      fleet.pause();
      console.error("fleet-sim: stopped reading; sending what is buffered");
      for (;;) {
        const t = fleet.totals();
        if (t.backlog === 0 && fleet.stats().every((s) => s.committed > 0)) break;
        if (await Promise.race([sleep(500).then(() => false), stopped.then(() => true)])) break;
      }
    }
    clearInterval(progress);
    const totals = fleet.totals();
    await fleet.stop();
    console.error(`fleet-sim: ${line(totals)}`);
    console.log(JSON.stringify(totals));
    return totals.backlog === 0 ? 0 : 1;
  } finally {
    clearInterval(progress);
    if (!o.dir) rmSync(dir, { recursive: true, force: true });
  }
}
