import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { TidegateError } from "@tidegate/protocol";
import { parse } from "yaml";
import { type MqttProfile, mqttProfileSchema } from "./mqtt.js";
import { type OpcuaProfile, opcuaProfileSchema } from "./opcua.js";
import { type Profile, profileSchema } from "./schema.js";
import { type LineProfile, lineProfileSchema } from "./serial-line.js";

/** Any device profile; `kind` tells which (files without `kind` are Modbus profiles). */
export type AnyProfile = Profile | LineProfile | MqttProfile | OpcuaProfile;

const schemasByKind = {
  modbus: profileSchema,
  "serial-line": lineProfileSchema,
  mqtt: mqttProfileSchema,
  opcua: opcuaProfileSchema,
} as const;

export class ProfileError extends TidegateError {
  override name = "ProfileError";
  readonly code = "profile.invalid";
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

export function parseProfile(text: string, file: string): AnyProfile {
  let data: unknown;
  try {
    data = parse(text);
  } catch (err) {
    throw new ProfileError(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  const kind = (data as { kind?: unknown } | null)?.kind ?? "modbus";
  if (typeof kind !== "string" || !(kind in schemasByKind)) {
    throw new ProfileError(
      `${file}: invalid device profile\n  at kind: expected one of ${Object.keys(schemasByKind).join(", ")} (found ${JSON.stringify(kind)})`,
    );
  }
  const result = schemasByKind[kind as keyof typeof schemasByKind].safeParse(data);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  at ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new ProfileError(`${file}: invalid device profile\n${lines.join("\n")}`);
  }
  return result.data as AnyProfile;
}

/** The Modbus profiles among `profiles`. */
export function modbusProfiles(profiles: Map<string, AnyProfile>): Profile[] {
  return [...profiles.values()].filter((p): p is Profile => p.kind === "modbus");
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
export function loadProfiles(dirs: readonly string[] = [findBundledProfilesDir()]): Map<string, AnyProfile> {
  const profiles = new Map<string, AnyProfile>();
  for (const dir of dirs) {
    for (const file of yamlFiles(dir)) {
      const profile = parseProfile(readFileSync(file, "utf8"), relative(process.cwd(), file) || file);
      profiles.set(profile.id, profile);
    }
  }
  return profiles;
}
