import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { type Profile, profileSchema } from "./schema.js";

export class ProfileError extends Error {
  override name = "ProfileError";
}

/**
 * The folder of profiles shipped with Tidegate. Built programs carry a copy in `profiles/` beside
 * their bundle; from a checkout it is `firmware-profiles/` at the repository root. The search starts
 * where this code runs from, because bundling moves this file.
 */
export function findBundledProfilesDir(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    for (const candidate of [join(dir, "profiles"), join(dir, "firmware-profiles")]) {
      if (existsSync(join(candidate, "profile.schema.json"))) return candidate;
    }
    if (existsSync(join(dir, "profile.schema.json"))) return dir;
    const parent = dirname(dir);
    if (parent === dir)
      throw new ProfileError(`cannot find the bundled device profiles above ${from}; pass a profiles folder`);
    dir = parent;
  }
}

export const bundledProfilesDir = findBundledProfilesDir();

export function parseProfile(text: string, file: string): Profile {
  let data: unknown;
  try {
    data = parse(text);
  } catch (err) {
    throw new ProfileError(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  const result = profileSchema.safeParse(data);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  at ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new ProfileError(`${file}: invalid device profile\n${lines.join("\n")}`);
  }
  return result.data;
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "src" || name.startsWith(".")) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...yamlFiles(full));
    else if (name.endsWith(".yaml") || name.endsWith(".yml")) out.push(full);
  }
  return out;
}

/** Loads every profile under the given folders; later folders override earlier ones by id. */
export function loadProfiles(dirs: readonly string[] = [findBundledProfilesDir()]): Map<string, Profile> {
  const profiles = new Map<string, Profile>();
  for (const dir of dirs) {
    for (const file of yamlFiles(dir)) {
      const profile = parseProfile(readFileSync(file, "utf8"), relative(process.cwd(), file) || file);
      profiles.set(profile.id, profile);
    }
  }
  return profiles;
}
