import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Emit } from "../lib/figure.js";

/** dashboard.js_gzip: what a browser downloads for the dashboard's JavaScript, gzip level 9 like build.mjs. */
export async function dashboardFigures(emit: Emit, root: string): Promise<void> {
  const dist = join(root, "dashboard", "dist");
  if (!existsSync(join(dist, "app.js"))) {
    process.stderr.write("bench: dashboard/dist/app.js missing; running node dashboard/build.mjs\n");
    execFileSync(process.execPath, [join(root, "dashboard", "build.mjs")], { stdio: ["ignore", 2, 2] });
  }
  const files = readdirSync(dist)
    .filter((f) => f.endsWith(".js"))
    .sort();
  let total = 0;
  const parts: string[] = [];
  for (const file of files) {
    const gz = gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
    total += gz;
    parts.push(`${file} ${(gz / 1024).toFixed(1)} KB`);
  }
  emit({
    name: "dashboard.js_gzip",
    value: Math.round((total / 1024) * 10) / 10,
    unit: "KB",
    budget: { max: 60 },
    note: `gzip -9 of every .js in dashboard/dist (${parts.join(", ")}); KB = 1024 bytes`,
  });
}
