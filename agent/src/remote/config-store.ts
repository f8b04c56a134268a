import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { type ConfigVersionInfo, configVersionSchema } from "@tidegate/protocol";
import type { AgentConfig } from "../config/schema.js";
import { writeFileAtomic } from "../config/write-atomic.js";

/**
 * Configs applied remotely, kept in the agent's state directory (next to the buffer), never in
 * the user's config file: `config-versions/0001.yaml` (the text as applied), `0001.json` (who,
 * when, hash, outcome) and `current` (the version in force; 0 or no file = the config file).
 * Every file is written to a temporary name, synced and renamed, so a power cut leaves either the
 * old or the new file, never half of one.
 */
export function configVersionsDir(config: Pick<AgentConfig, "buffer">, configFile: string): string {
  const state =
    config.buffer.path === ":memory:" ? dirname(resolve(configFile)) : dirname(config.buffer.path);
  return join(state, "config-versions");
}

const name = (version: number) => String(version).padStart(4, "0");
export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export function openConfigStore(dir: string) {
  const pointer = join(dir, "current");
  const metaPath = (v: number) => join(dir, `${name(v)}.json`);
  const readMeta = (v: number): ConfigVersionInfo =>
    configVersionSchema.parse(JSON.parse(readFileSync(metaPath(v), "utf8")));
  const writeMeta = (info: ConfigVersionInfo) =>
    writeFileAtomic(metaPath(info.version), `${JSON.stringify(info, null, 2)}\n`);

  function list(): ConfigVersionInfo[] {
    let files: string[];
    try {
      files = readdirSync(dir);
    } catch {
      return [];
    }
    return files
      .filter((f) => /^\d{4,}\.json$/.test(f))
      .map((f) => Number(f.slice(0, -5)))
      .sort((a, b) => a - b)
      .flatMap((v) => {
        try {
          return [readMeta(v)];
        } catch {
          return []; // a version whose metadata is unreadable is not offered
        }
      });
  }

  return {
    dir,
    list,
    info: readMeta,
    read: (version: number) => readFileSync(join(dir, `${name(version)}.yaml`), "utf8"),
    /** The version in force: 0 when the agent runs on its config file. */
    current(): number {
      try {
        const n = Number(readFileSync(pointer, "utf8").trim());
        return Number.isInteger(n) && n >= 0 ? n : 0;
      } catch {
        return 0;
      }
    },
    setCurrent(version: number) {
      mkdirSync(dir, { recursive: true });
      writeFileAtomic(pointer, `${version}\n`);
    },
    /** Keeps `text` as the next version, marked pending until the apply settles. */
    save(text: string, meta: { actor?: string; origin: string }, now = Date.now()): ConfigVersionInfo {
      mkdirSync(dir, { recursive: true });
      const version = (list().at(-1)?.version ?? 0) + 1;
      writeFileAtomic(join(dir, `${name(version)}.yaml`), text);
      const info: ConfigVersionInfo = {
        version,
        at: now,
        ...(meta.actor ? { actor: meta.actor } : {}),
        sha256: sha256(text),
        origin: meta.origin,
        status: "pending",
      };
      writeMeta(info);
      return info;
    },
    settle(version: number, status: "applied" | "rolled-back", reason?: string) {
      writeMeta({ ...readMeta(version), status, ...(reason ? { reason } : {}) });
    },
  };
}
export type ConfigStore = ReturnType<typeof openConfigStore>;
