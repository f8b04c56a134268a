import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { devicesDirOf } from "../config/devices-dir.js";
import { type LoadedConfig, parseConfig } from "../config/load.js";
import { configVersionsDir, openConfigStore } from "./config-store.js";

export interface ActiveConfig {
  loaded: LoadedConfig;
  /** 0: the config file; n: remote version n. */
  version: number;
  /** Said at start, in the log, whenever the choice is not simply "the file". */
  message?: string;
}

/**
 * Which config the agent starts with. A version applied remotely stays in force across restarts,
 * unless the config file was changed after it (a technician's edit on the gateway wins). The
 * user's file is never written; going back to it is config.rollback {version: 0}, or deleting
 * the `current` file in the versions directory.
 */
export function activeConfig(fromFile: LoadedConfig): ActiveConfig {
  const store = openConfigStore(configVersionsDir(fromFile.config, fromFile.file));
  const version = store.current();
  if (version === 0) return { loaded: fromFile, version: 0 };
  const back = `To go back to the file: config.rollback with version 0, or delete ${store.dir}/current.`;
  try {
    const info = store.info(version);
    const fileChangedAt = statSync(fromFile.file).mtimeMs;
    if (fileChangedAt > info.at)
      return {
        loaded: fromFile,
        version: 0,
        message: `using the config file ${fromFile.file}: it was changed (${new Date(fileChangedAt).toISOString()}) after remote config version ${version} was applied (${new Date(info.at).toISOString()})`,
      };
    // A device file edited, added or removed by hand after the version was put in force (adding
    // from the commissioning page writes its file before that) is an edit on the gateway too.
    const devicesChangedAt = newestChange(devicesDirOf(fromFile.file));
    const inForceSince = statSync(join(store.dir, "current")).mtimeMs;
    if (devicesChangedAt > inForceSince)
      return {
        loaded: fromFile,
        version: 0,
        message: `using the config file ${fromFile.file} and its devices.d/: a device file there was changed (${new Date(devicesChangedAt).toISOString()}) after remote config version ${version} was put in force (${new Date(inForceSince).toISOString()})`,
      };
    const loaded = parseConfig(store.read(version), fromFile.file, {
      label: `remote config version ${version}`,
    });
    return {
      loaded,
      version,
      message: `using remote config version ${version} (applied ${new Date(info.at).toISOString()}${info.actor ? ` by ${info.actor}` : ""}) instead of ${fromFile.file}, which is unchanged. ${back}`,
    };
  } catch (err) {
    return {
      loaded: fromFile,
      version: 0,
      message: `remote config version ${version} cannot be used (${(err as Error).message}); using the config file ${fromFile.file}`,
    };
  }
}

/** The latest change of a folder or any file in it (0 if there is none). */
function newestChange(dir: string): number {
  const own = statSync(dir, { throwIfNoEntry: false })?.mtimeMs;
  if (own === undefined) return 0;
  return Math.max(
    own,
    ...readdirSync(dir).map((n) => statSync(join(dir, n), { throwIfNoEntry: false })?.mtimeMs ?? 0),
  );
}
