import {
  existsSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";

/**
 * systemd/install.sh's layout of installed versions, which remote upgrades fit into:
 *
 *   /opt/tidegate/versions/agent/<version>/    one folder per version (dist/, node_modules/, …)
 *   /opt/tidegate/versions/agent/current       → <version>, the one the service runs
 *   /opt/tidegate/versions/agent/previous      → <version>, the one before (for a rollback)
 *   /opt/tidegate/agent                        → versions/agent/current
 *
 * The unit starts /usr/local/bin/tidegate-agent, which resolves through `current` at every start,
 * so switching is replacing one link and restarting.
 */
export interface VersionsLayout {
  dir: string;
  /** The folder name `current` points at: the running version. */
  current: string;
  currentDir: string;
}

export class LayoutError extends Error {}

const hint =
  "remote upgrades need the layout systemd/install.sh makes (versions/agent/<version> and a current link): install the agent with it, or set upgrade.versionsDir";

/** The layout around the running program (`programFile`: its dist/cli.js), or the configured folder. */
export function findLayout(o: { programFile: string; versionsDir?: string }): VersionsLayout {
  let dir = o.versionsDir;
  if (dir === undefined) {
    let program: string;
    try {
      program = realpathSync(o.programFile);
    } catch {
      throw new LayoutError(`cannot find the running program ${o.programFile}; ${hint}`);
    }
    dir = dirname(dirname(dirname(program)));
  }
  const link = join(dir, "current");
  let current: string;
  try {
    current = readlinkSync(link);
  } catch {
    throw new LayoutError(`${link} is not a link to the running version; ${hint}`);
  }
  return { dir, current: basename(current), currentDir: join(dir, basename(current)) };
}

/** Replaces `name` in the layout's folder with a link to `target`, atomically (rename over it). */
function relink(layout: VersionsLayout, name: string, target: string) {
  const tmp = join(layout.dir, `.${name}.new`);
  rmSync(tmp, { force: true });
  symlinkSync(target, tmp);
  renameSync(tmp, join(layout.dir, name));
}

/** Points `current` at `version` and `previous` at the version that ran until now. */
export function switchTo(layout: VersionsLayout, version: string): void {
  if (!existsSync(join(layout.dir, version)))
    throw new LayoutError(`version ${version} is not installed in ${layout.dir}`);
  if (layout.current !== version) relink(layout, "previous", layout.current);
  relink(layout, "current", version);
}

/** Points `current` back at `previous` (after a new version was not healthy); returns that version. */
export function rollBack(layout: VersionsLayout): string {
  let previous: string;
  try {
    previous = basename(readlinkSync(join(layout.dir, "previous")));
  } catch {
    throw new LayoutError(`${layout.dir} has no previous version to go back to`);
  }
  if (!existsSync(join(layout.dir, previous)))
    throw new LayoutError(`the previous version ${previous} is gone from ${layout.dir}`);
  relink(layout, "current", previous);
  rmSync(join(layout.dir, "previous"), { force: true });
  return previous;
}

const linked = (layout: VersionsLayout, name: string) => {
  try {
    return basename(readlinkSync(join(layout.dir, name)));
  } catch {
    return undefined;
  }
};

/**
 * Removes every version folder but the ones `current` and `previous` link, so a gateway upgraded
 * many times keeps two versions on its card. Called right after a switch, while the program that
 * runs is the one `previous` now links (never from a version that is about to be removed). Names
 * starting with a dot (an unpack under way) and the links are left alone. Returns what it removed.
 */
export function pruneVersions(layout: VersionsLayout): string[] {
  const keep = new Set([linked(layout, "current"), linked(layout, "previous"), "current", "previous"]);
  const removed: string[] = [];
  for (const entry of readdirSync(layout.dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith(".") || keep.has(entry.name)) continue;
    rmSync(join(layout.dir, entry.name), { recursive: true, force: true });
    removed.push(entry.name);
  }
  return removed.sort();
}
