import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type AnyProfile, parseProfile } from "@tidegate/profiles";
import { TidegateError } from "@tidegate/protocol";
import { profilesSaveDir } from "../../config/profiles-dir.js";
import { writeFileAtomic } from "../../config/write-atomic.js";
import { checkProfile } from "../../profile-check/check.js";
import type { SourcesLifecycle } from "../../sources/lifecycle.js";

/** A profile that would shadow another, or replace one devices use (HTTP 409). */
export class ProfileConflictError extends TidegateError {
  override name = "ProfileConflictError";
  readonly code = "commission.profile-conflict";
}

export interface ProfileStoreOptions {
  /** The folder profiles built on the gateway are saved in (config/profiles-dir.ts). */
  dir: () => string;
  /** Every profile the agent knows now (its config's library). */
  profiles: () => Map<string, AnyProfile>;
  /** Ids of the configured devices that use a profile. */
  usedBy: (profile: string) => string[];
  /** Tells the running agent about a saved profile, so a device can be previewed and added with it. */
  learn: (profile: AnyProfile) => void;
}

/**
 * Profiles built on the commissioning page, one file per profile at `<dir>/<vendor>/<model>.yaml`
 * (the id is the path, as in the bundled library). A profile never shadows one of the library's,
 * and one saved before is replaced only when asked and while no device uses it.
 */
export function createProfileStore(o: ProfileStoreOptions) {
  const fileOf = (id: string) => join(o.dir(), `${id}.yaml`);

  function save(profile: AnyProfile, yaml: string, replace: boolean): { file: string; replaced: boolean } {
    const file = fileOf(profile.id);
    const saved = existsSync(file);
    if (!saved && o.profiles().has(profile.id))
      throw new ProfileConflictError(
        `a profile '${profile.id}' is in the library already; choose another id (vendor/model) for this one`,
      );
    if (saved && !replace)
      throw new ProfileConflictError(
        `${file} was saved before; send replace: true to overwrite it, or choose another id`,
      );
    const users = saved ? o.usedBy(profile.id) : [];
    if (users.length > 0)
      throw new ProfileConflictError(
        `${profile.id} is the profile of ${users.join(", ")}; save the changed table under another id, or remove those devices first`,
      );
    // Read back as the agent reads it at the next start, and its testdata decoded, before it is kept.
    const failures = checkProfile(parseProfile(yaml, file)).failures;
    if (failures.length > 0)
      throw new Error(`${file}: its testdata do not decode as stated: ${JSON.stringify(failures)}`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileAtomic(file, yaml);
    o.learn(profile);
    return { file, replaced: saved };
  }

  /** A saved profile's text (for download); undefined when none was saved under that id. */
  function read(id: string): string | undefined {
    const file = fileOf(id);
    return existsSync(file) ? readFileSync(file, "utf8") : undefined;
  }

  return { save, read, fileOf };
}
export type ProfileStore = ReturnType<typeof createProfileStore>;

/** The store of a running agent: its config's profiles folder, its profiles and devices. */
export function lifecycleProfileStore(
  lifecycle: Pick<SourcesLifecycle, "loaded" | "learnProfile">,
  configFile: string,
): ProfileStore {
  return createProfileStore({
    dir: () => profilesSaveDir(configFile, lifecycle.loaded().config.profilesDirs),
    profiles: () => lifecycle.loaded().library.all(),
    usedBy: (id) =>
      lifecycle
        .loaded()
        .config.devices.filter((d) => d.profile === id)
        .map((d) => d.id),
    learn: lifecycle.learnProfile,
  });
}
