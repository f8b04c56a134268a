// Runs every benchmark group and prints one JSON object per figure per line on stdout; progress,
// the machine line and warnings go to stderr. `--write-docs` regenerates docs/benchmarks.md;
// `--only=buffer,uplink` runs some groups (and never writes the docs).
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bufferFigures } from "./figures/buffer.js";
import { collectorFigures } from "./figures/collector.js";
import { collectorE2eFigures } from "./figures/collector-e2e.js";
import { dashboardFigures } from "./figures/dashboard.js";
import { uplinkFigures } from "./figures/uplink.js";
import { runPendingCleanups } from "./lib/cleanup.js";
import { writeDocs } from "./lib/docs.js";
import { type Emit, type Measured, toJsonLine, withinBudget } from "./lib/figure.js";
import { describeMachine } from "./lib/machine.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const groups: { name: string; run: (emit: Emit) => Promise<void> }[] = [
  { name: "buffer", run: bufferFigures },
  { name: "uplink", run: uplinkFigures },
  { name: "collector", run: collectorFigures },
  { name: "collector-e2e", run: collectorE2eFigures },
  { name: "dashboard", run: (emit) => dashboardFigures(emit, root) },
];

const log = (line: string) => process.stderr.write(`${line}\n`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    log(`bench: ${signal}; cleaning up`);
    void runPendingCleanups().finally(() => process.exit(130));
  });
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const only = args
    .find((a) => a.startsWith("--only="))
    ?.slice("--only=".length)
    .split(",");
  const unknown = only?.filter((name) => !groups.some((g) => g.name === name)) ?? [];
  if (unknown.length > 0) {
    log(`bench: unknown group(s) ${unknown.join(", ")}; groups are ${groups.map((g) => g.name).join(", ")}`);
    return 2;
  }
  const machine = describeMachine();
  log(`machine: ${machine}`);

  const figures: Measured[] = [];
  const failures: { group: string; error: string }[] = [];
  const emit: Emit = (figure) => {
    figures.push(figure);
    process.stdout.write(`${toJsonLine(figure)}\n`);
    if (!withinBudget(figure))
      log(`bench: ${figure.name} = ${figure.value} ${figure.unit} misses its budget`);
  };

  const date = new Date();
  const started = performance.now();
  for (const group of groups) {
    if (only && !only.includes(group.name)) continue;
    const t = performance.now();
    try {
      await group.run(emit);
      log(`bench: ${group.name} done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    } catch (err) {
      const error = (err as Error).message || String(err);
      failures.push({ group: group.name, error });
      log(`bench: ${group.name} failed: ${(err as Error).stack ?? error}`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  log(`bench: ${figures.length} figures in ${seconds.toFixed(1)} s`);

  if (args.includes("--write-docs")) {
    if (only) log("bench: --only given, so docs/benchmarks.md is left as it was");
    else {
      writeDocs(join(root, "docs", "benchmarks.md"), { date, machine, seconds, figures, failures });
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
