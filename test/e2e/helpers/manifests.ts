import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repo } from "./install.js";

/** Every TIDEGATE_* variable the collector reads, from its option sources (flags and env names). */
export function collectorEnvNames(): Set<string> {
  // Its own options, and the accounts and session key read by the shared auth module.
  const dirs = [join(repo, "collector/src/config"), join(repo, "http-kit/src/auth")];
  const names = new Set<string>();
  for (const dir of dirs)
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))) {
      for (const [name] of readFileSync(join(dir, file), "utf8").matchAll(/TIDEGATE_[A-Z0-9_]+/g))
        names.add(name);
    }
  return names;
}

export interface DockerfileCopy {
  /** The instruction, for failure messages. */
  text: string;
  /** --from=<stage>, when it copies from another stage rather than the build context. */
  from?: string;
  sources: string[];
}

/** A Dockerfile's stages (FROM ... AS name) and COPY instructions, continuation lines joined. */
export function parseDockerfile(text: string) {
  const stages: string[] = [];
  const copies: DockerfileCopy[] = [];
  const lines = text.replace(/\\\n/g, " ").split("\n");
  for (const raw of lines) {
    const words = raw.trim().split(/\s+/);
    const op = words[0]?.toUpperCase();
    if (op === "FROM") {
      const as = words.findIndex((w) => w.toUpperCase() === "AS");
      if (as > 0 && words[as + 1]) stages.push(words[as + 1] as string);
    }
    if (op === "COPY") {
      const flags = words.slice(1).filter((w) => w.startsWith("--"));
      const args = words.slice(1).filter((w) => !w.startsWith("--"));
      const from = flags.find((f) => f.startsWith("--from="))?.slice("--from=".length);
      copies.push({ text: raw.trim(), from, sources: args.slice(0, -1) });
    }
  }
  return { stages, copies };
}
