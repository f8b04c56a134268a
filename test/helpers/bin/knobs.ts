import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

// Knobs steer the real agent and collector in tests that need an older peer, a tiny disk or a
// pause between migration steps. They are flags of the entries beside this file, never of the
// production CLIs, and reach the services as start options (serveAgent, serveCollector).

export const AGENT_KNOBS = ["wireVersion", "maxPageCount", "migrationPauseMs"] as const;
export const COLLECTOR_KNOBS = ["wireMax", "migrationPauseMs"] as const;

export type Knobs<K extends readonly string[]> = Partial<Record<K[number], number>>;
export interface AgentKnobs extends Knobs<typeof AGENT_KNOBS> {
  /** 1: an agent from before buffer epochs. */
  wireVersion?: 1;
  /** SQLite max_page_count on the buffer file: a "full disk" where mounting one is not allowed. */
  maxPageCount?: number;
  /** Holds the process this long after each migration step, so a test can kill it there. */
  migrationPauseMs?: number;
}
export interface CollectorKnobs extends Knobs<typeof COLLECTOR_KNOBS> {
  /** The newest batch wire version the collector reads: lower plays an older collector. */
  wireMax?: number;
  migrationPauseMs?: number;
}

const flag = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The entry's parseArgs options for its knobs. */
export const knobOptions = (keys: readonly string[]) =>
  Object.fromEntries(keys.map((key) => [flag(key), { type: "string" as const }]));

/** Reads the knobs back from the entry's parsed flags. */
export function readKnobs<K extends readonly string[]>(values: Record<string, unknown>, keys: K): Knobs<K> {
  const knobs: Record<string, number> = {};
  for (const key of keys) {
    const raw = values[flag(key)];
    if (raw === undefined) continue;
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new Error(`--${flag(key)}: expected a number, got ${String(raw)}`);
    knobs[key] = n;
  }
  return knobs as Knobs<K>;
}

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/**
 * Node arguments that run `<program>-under-test.ts` (TypeScript source, through tsx) with the
 * program's own flags and the knobs that are set; undefined when none is, so the caller runs the
 * built CLI as installed.
 */
export function underTestArgs(
  program: "agent" | "collector",
  args: string[],
  knobs: AgentKnobs | CollectorKnobs,
): string[] | undefined {
  const flags = Object.entries(knobs).flatMap(([key, value]) =>
    value === undefined ? [] : [`--${flag(key)}`, String(value)],
  );
  if (flags.length === 0) return undefined;
  const entry = fileURLToPath(new URL(`./${program}-under-test.ts`, import.meta.url));
  return ["--import", tsxLoader, entry, ...args, ...flags];
}
