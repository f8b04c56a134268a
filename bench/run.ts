// Runs every benchmark group and prints one JSON object per figure per line on stdout; progress,
// the machine line and warnings go to stderr. `--write-docs` regenerates docs/benchmarks.md;
// `--only=buffer,uplink` runs some groups (and never writes the docs); `--rss-minutes=10` samples
// the agent's memory for longer than the default 3 minutes; `--fleet-gateways=200 --fleet-points=50
// --fleet-steady-s=30 --fleet-outage-s=60` resize the fleet group (default: 1,000 gateways × 10 points,
// 5 min, 10 min); `--notes` prints each figure's note (what docs/benchmarks.md shows beside it) to stderr.
//
// The groups run one after another, except `rss`: it mostly waits (a real agent polling simulated
// devices, sampled every 30 s), so it runs in the background from the start and the whole run
// takes about as long as the rss sampling. Its figures note how much CPU the agent and the
// simulators took meanwhile. `--only=rss` measures it alone.
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { provideTestToken } from "../test/e2e/helpers/auth.js";
import { backlogFigures } from "./figures/backlog.js";
import { bufferFigures } from "./figures/buffer.js";
import { collectorFigures } from "./figures/collector.js";
import { collectorE2eFigures } from "./figures/collector-e2e.js";
import { collectorFleetFigures } from "./figures/collector-fleet.js";
import { commissionScanFigures } from "./figures/commission-scan.js";
import { dashboardFigures } from "./figures/dashboard.js";
import { e2eFigures } from "./figures/e2e.js";
import { FLEET_DEFAULTS, type FleetBenchOptions, fleetFigures } from "./figures/fleet.js";
import { FLEET_CLUSTER_DEFAULTS, fleetClusterFigures } from "./figures/fleet-cluster.js";
import { fleetViewFigures } from "./figures/fleet-view.js";
import { latencyFigures } from "./figures/latency.js";
import { modbusDecodeFigures } from "./figures/modbus-decode.js";
import { modbusFleetFigures } from "./figures/modbus-fleet.js";
import { modbusPlanFigures } from "./figures/modbus-plan.js";
import { modbusRequestFigures } from "./figures/modbus-request.js";
import { opcuaFigures } from "./figures/opcua.js";
import { queryFigures } from "./figures/query.js";
import { DEFAULT_RSS_MINUTES, rssFigures } from "./figures/rss.js";
import { sparkplugFigures } from "./figures/sparkplug.js";
import { uplinkFigures } from "./figures/uplink.js";
import { runPendingCleanups } from "./lib/cleanup.js";
import { writeDocs } from "./lib/docs.js";
import { type Emit, type Measured, type Remark, toJsonLine, withinBudget } from "./lib/figure.js";
import { describeMachine } from "./lib/machine.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

interface Group {
  name: string;
  /** Runs beside the others instead of after them; `started` says when its measurement began. */
  background?: boolean;
  run: (emit: Emit, remark: Remark, started: () => void) => Promise<void>;
}

function groupsFor(rssMinutes: number, fleet: FleetBenchOptions): Group[] {
  return [
    {
      name: "rss",
      background: true,
      run: (emit, remark, started) => rssFigures(emit, remark, { minutes: rssMinutes, started }),
    },
    { name: "buffer", run: bufferFigures },
    { name: "uplink", run: uplinkFigures },
    { name: "collector", run: collectorFigures },
    { name: "collector-fleet", run: collectorFleetFigures },
    { name: "collector-e2e", run: collectorE2eFigures },
    { name: "query", run: queryFigures },
    { name: "e2e", run: e2eFigures },
    { name: "backlog", run: backlogFigures },
    { name: "latency", run: latencyFigures },
    { name: "dashboard", run: (emit) => dashboardFigures(emit, root) },
    {
      name: "modbus",
      run: async (emit) => {
        await modbusPlanFigures(emit);
        await modbusDecodeFigures(emit);
        await modbusFleetFigures(emit);
      },
    },
    { name: "modbus-request", run: modbusRequestFigures },
    { name: "opcua", run: opcuaFigures },
    { name: "sparkplug", run: sparkplugFigures },
    { name: "commission", run: commissionScanFigures },
    { name: "fleet", run: (emit, remark) => fleetFigures(emit, remark, fleet) },
    {
      name: "fleet-cluster",
      run: (emit, remark) => fleetClusterFigures(emit, remark, FLEET_CLUSTER_DEFAULTS),
    },
    { name: "fleet-view", run: (emit) => fleetViewFigures(emit, root) },
  ];
}

/** The value of `--name=value` or `--name value`. */
function flag(args: readonly string[], name: string): string | undefined {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  const arg = args[i] as string;
  return arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : args[i + 1];
}

const log = (line: string) => process.stderr.write(`${line}\n`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    log(`bench: ${signal}; cleaning up`);
    // The interrupted group keeps failing while its resources go away; nothing it throws now may
    // stop the cleanup from finishing.
    process.on("uncaughtException", (err) => log(`bench: while cleaning up: ${err.message}`));
    void runPendingCleanups().finally(() => process.exit(130));
  });
}

async function main(): Promise<number> {
  // The agents and collectors the benchmarks start accept the same API token the tests use, so
  // the shared helpers can read their status (their APIs need a token like any script's).
  provideTestToken();
  const args = process.argv.slice(2);
  const only = flag(args, "only")?.split(",");
  const rssMinutes = Number(flag(args, "rss-minutes") ?? DEFAULT_RSS_MINUTES);
  if (!(rssMinutes > 0 && rssMinutes <= 60)) {
    log("bench: --rss-minutes takes a number of minutes between 0 and 60");
    return 2;
  }
  const fleet = { ...FLEET_DEFAULTS };
  for (const [key, name] of [
    ["gateways", "fleet-gateways"],
    ["points", "fleet-points"],
    ["steadyS", "fleet-steady-s"],
    ["outageS", "fleet-outage-s"],
  ] as const) {
    const text = flag(args, name);
    if (text === undefined) continue;
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 1) {
      log(`bench: --${name} takes a whole number ≥ 1, got "${text}"`);
      return 2;
    }
    fleet[key] = n;
  }
  const groups = groupsFor(rssMinutes, fleet);
  const unknown = only?.filter((name) => !groups.some((g) => g.name === name)) ?? [];
  if (unknown.length > 0) {
    log(`bench: unknown group(s) ${unknown.join(", ")}; groups are ${groups.map((g) => g.name).join(", ")}`);
    return 2;
  }
  const machine = describeMachine();
  log(`machine: ${machine}`);

  const showNotes = args.includes("--notes");
  const figures: Measured[] = [];
  const remarks: string[] = [];
  const failures: { group: string; error: string }[] = [];
  const emit: Emit = (figure) => {
    figures.push(figure);
    process.stdout.write(`${toJsonLine(figure)}\n`);
    if (showNotes && figure.note) log(`  ${figure.name}: ${figure.note}`);
    if (!withinBudget(figure))
      log(`bench: ${figure.name} = ${figure.value} ${figure.unit} misses its budget`);
  };
  const remark: Remark = (text) => {
    remarks.push(text);
    log(`bench: finding: ${text}`);
  };
  const runGroup = async (group: Group, started: () => void) => {
    const t = performance.now();
    try {
      await group.run(emit, remark, started);
      log(`bench: ${group.name} done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    } catch (err) {
      const error = (err as Error).message || String(err);
      failures.push({ group: group.name, error });
      log(`bench: ${group.name} failed: ${(err as Error).stack ?? error}`);
    } finally {
      started();
    }
  };

  const date = new Date();
  const started = performance.now();
  const selected = groups.filter((g) => !only || only.includes(g.name));
  // Background groups start first; the others wait until their measurement began (or they failed).
  const background = selected
    .filter((g) => g.background)
    .map((g) => {
      let began: () => void = () => {};
      const measuring = new Promise<void>((resolve) => {
        began = resolve;
      });
      return { measuring, done: runGroup(g, () => began()) };
    });
  await Promise.all(background.map((b) => b.measuring));
  for (const group of selected) if (!group.background) await runGroup(group, () => {});
  if (background.length > 0) log("bench: waiting for the background group to finish sampling");
  await Promise.all(background.map((b) => b.done));
  const seconds = (performance.now() - started) / 1000;
  log(`bench: ${figures.length} figures in ${seconds.toFixed(1)} s`);

  if (args.includes("--write-docs")) {
    if (only) log("bench: --only given, so docs/benchmarks.md is left as it was");
    else {
      writeDocs(join(root, "docs", "benchmarks.md"), {
        date,
        machine,
        seconds,
        figures,
        remarks,
        failures,
        groups: groups.map((g) => g.name),
      });
      log("bench: wrote docs/benchmarks.md");
    }
  }
  return failures.length > 0 || figures.some((f) => !withinBudget(f)) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  async (err) => {
    log(`bench: ${(err as Error).stack ?? err}`);
    await runPendingCleanups();
    process.exitCode = 1;
  },
);
