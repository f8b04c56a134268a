import { existsSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";

/**
 * Profiles built on the gateway (the commissioning page) are saved in the config's first
 * `profilesDirs` folder, or, with none, in `profiles.d/` beside the config file, which is then
 * read like a profiles folder: the user's config file is never rewritten to name it (decision 40).
 */
export const PROFILES_DIR = "profiles.d";

export const profilesDirOf = (configFile: string) => join(dirname(resolve(configFile)), PROFILES_DIR);

/** Where a profile built on the gateway goes. */
export function profilesSaveDir(configFile: string, profilesDirs: readonly string[]): string {
  const first = profilesDirs[0];
  if (first === undefined) return profilesDirOf(configFile);
  return isAbsolute(first) ? first : resolve(dirname(resolve(configFile)), first);
}

/** The `profiles.d/` folder beside the config file, when there is one. */
export function besideConfigProfilesDirs(configFile: string): string[] {
  const dir = profilesDirOf(configFile);
  return existsSync(dir) ? [dir] : [];
}

/**
 * The file a loaded profile came from, found where `parseConfig` reads profiles (its `profilesDirs`,
 * `profiles.d/`, the bundled library; the later folder wins there, so it is looked in first) under
 * its id as path (`<vendor>/<model>.yaml`), as the library and the commissioning page name them.
 * Undefined when none is found there.
 */
export function findProfileFile(
  configFile: string,
  profilesDirs: readonly string[],
  id: string,
  bundledDir: string,
): string | undefined {
  const base = dirname(resolve(configFile));
  const dirs = [
    ...profilesDirs.map((d) => (isAbsolute(d) ? d : resolve(base, d))).reverse(),
    profilesDirOf(configFile),
    bundledDir,
  ];
  for (const dir of dirs)
    for (const ext of [".yaml", ".yml"]) {
      const file = join(dir, `${id}${ext}`);
      if (existsSync(file)) return file;
    }
  return undefined;
}
