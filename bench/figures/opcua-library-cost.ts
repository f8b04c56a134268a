import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** What importing a module costs a fresh node process started with the agent's memory flags. */
export interface ModuleCost {
  module: string;
  rssMb: number;
  anonMb: number;
  heapMb: number;
}

// Runs in the child: bare figures first, then after each import (cumulative), heap after a full GC.
const probe = `
import { readFileSync } from "node:fs";
const kb = (f) => Number(new RegExp("^" + f + ":\\\\s+(\\\\d+)", "m").exec(readFileSync("/proc/self/status", "utf8"))[1]);
const at = (module) => { globalThis.gc(); return { module, rssKb: kb("VmRSS"), anonKb: kb("RssAnon"), heap: process.memoryUsage().heapUsed }; };
const out = [at("(bare node)")];
for (const m of JSON.parse(process.env.MODULES)) { await import(m); out.push(at(m)); }
process.stdout.write("\\nCOSTS " + JSON.stringify(out) + "\\n");
`;

/**
 * Each module's own share (over the ones before it) of VmRSS, RssAnon and V8 heap: the first row is
 * a bare node; the child resolves the modules from the agent's workspace, where they are installed.
 */
export function moduleCosts(modules: readonly string[]): ModuleCost[] {
  const agentDir = fileURLToPath(new URL("../../agent/", import.meta.url));
  const text = execFileSync(
    process.execPath,
    ["--max-semi-space-size=1", "--optimize-for-size", "--expose-gc", "--input-type=module", "-e", probe],
    {
      cwd: agentDir,
      env: { ...process.env, MALLOC_ARENA_MAX: "1", MODULES: JSON.stringify(modules) },
      stdio: ["ignore", "pipe", "ignore"],
    },
  ).toString();
  // node-opcua prints its own warnings on stdout: the answer is the line marked COSTS.
  const line = text.split("\n").find((l) => l.startsWith("COSTS ")) ?? "";
  const rows = JSON.parse(line.slice(6)) as { module: string; rssKb: number; anonKb: number; heap: number }[];
  const mb = (n: number) => Math.round(n * 10) / 10;
  return rows.map((r, i) => {
    const prev = rows[i - 1] ?? { rssKb: 0, anonKb: 0, heap: 0 };
    return {
      module: r.module,
      rssMb: mb((r.rssKb - prev.rssKb) / 1024),
      anonMb: mb((r.anonKb - prev.anonKb) / 1024),
      heapMb: mb((r.heap - prev.heap) / 1048576),
    };
  });
}
