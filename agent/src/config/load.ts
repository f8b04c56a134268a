import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { type AnyProfile, findBundledProfilesDir, loadProfiles } from "@tidegate/profiles";
import { TidegateError } from "@tidegate/protocol";
import { type Document, parseDocument } from "yaml";
import { profileOfNodes } from "./device-nodes.js";
import { DevicesDirError, devicesDirOf, readDeviceFiles } from "./devices-dir.js";
import { createProfileLibrary, type ProfileLibrary } from "./profile-library.js";
import { besideConfigProfilesDirs } from "./profiles-dir.js";
import { type AgentConfig, configSchema, type DeviceConfig } from "./schema.js";
import { ConfigVersionError, migrateConfigDocument } from "./versions.js";

export class ConfigError extends TidegateError {
  override name = "ConfigError";
  readonly code = "config.invalid";
}

export interface LoadedConfig {
  file: string;
  config: AgentConfig;
  /**
   * The profiles the configured devices use (and those learned since, profile-store.ts): what the
   * sources run with. Every profile the config could name is `library.all()`.
   */
  profiles: Map<string, AnyProfile>;
  library: ProfileLibrary;
  /** What an older config format was read as; logged at start and printed by `check`. */
  warnings: string[];
  /** Where each device came from (device id → the config file, a `devices.d/` file or a version's label). */
  deviceOrigins: Record<string, string>;
}

function describeValue(v: unknown): string {
  if (v === undefined) return "nothing";
  return JSON.stringify(v);
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = data;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** Which kind of device profile each transport reads. */
const PROFILE_KIND_FOR_TRANSPORT: Record<DeviceConfig["transport"]["type"], AnyProfile["kind"]> = {
  tcp: "modbus",
  rtu: "modbus",
  "rtu-over-tcp": "modbus",
  serial: "serial-line",
  opcua: "opcua",
};

function parseYaml(text: string, file: string) {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(`${file}: not valid YAML:\n${doc.errors.map((e) => `  ${e.message}`).join("\n")}`);
  }
  return doc;
}

/**
 * The document as plain data. Aliases are where YAML turns on its reader: one to a missing anchor,
 * one inside its own anchor (a value that contains itself), or so many that the document explodes.
 */
function yamlData(doc: Document, name: string): unknown {
  let data: unknown;
  try {
    data = doc.toJS() ?? {};
    JSON.stringify(data);
  } catch (err) {
    const why =
      err instanceof TypeError
        ? "an alias (*name) is used inside its own anchor (&name), so the value would contain itself"
        : (err as Error).message;
    throw new ConfigError(`${name}: not valid YAML:\n  ${why}`);
  }
  return data;
}

/**
 * Parses and validates a config text. Errors name the file, the path (devices.1.transport.port)
 * and what was expected, with the value found, so a technician can fix it without reading code.
 */
export function parseConfig(
  text: string,
  file: string,
  options: { profilesDirs?: string[]; label?: string; devicesDir?: string } = {},
): LoadedConfig {
  // `file` anchors relative paths; `label` names the text in errors when it did not come from
  // that file (a config sent with config.apply).
  const name = options.label ?? file;
  const doc = parseYaml(text, name);
  let warnings: string[];
  try {
    ({ warnings } = migrateConfigDocument(doc));
  } catch (err) {
    if (err instanceof ConfigVersionError) throw new ConfigError(`${name}: invalid config\n  ${err.message}`);
    throw err;
  }
  const data = yamlData(doc, name);
  // origins[i]: the devices.d file devices.i came from (undefined: this text).
  const origins = mergeDeviceFiles(data, name, options.devicesDir);
  const at = (path: readonly PropertyKey[]) => {
    const from = path[0] === "devices" && typeof path[1] === "number" ? origins[path[1]] : undefined;
    if (from) return `in ${from} at ${path.slice(2).join(".") || "(root)"}`;
    return `at ${path.join(".") || "(root)"}`;
  };
  const result = configSchema.safeParse(data);
  if (!result.success) {
    const lines = result.error.issues.map(
      (i) => `  ${at(i.path)}: ${i.message} (found ${describeValue(valueAt(data, i.path))})`,
    );
    throw new ConfigError(`${name}: invalid config\n${lines.join("\n")}`);
  }
  // zod hands out its `.default({...})` objects themselves: resolving paths below in them would
  // carry one file's paths into every later load in this process (config.apply, check).
  const config = structuredClone(result.data);
  const base = dirname(resolve(file));
  const rel = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  config.buffer.path = config.buffer.path === ":memory:" ? ":memory:" : rel(config.buffer.path);
  // The agent's other SQLite files live next to the buffer unless placed elsewhere.
  const besideBuffer = (path: string | undefined, name: string) =>
    path !== undefined
      ? rel(path)
      : config.buffer.path === ":memory:"
        ? ":memory:"
        : join(dirname(config.buffer.path), name);
  config.alerts.path = besideBuffer(config.alerts.path, "alerts.db");
  config.http.auth.path = besideBuffer(config.http.auth.path, "auth.db");
  if (config.nats.credsFile) config.nats.credsFile = rel(config.nats.credsFile);
  if (config.upgrade.publicKey) config.upgrade.publicKey = rel(config.upgrade.publicKey);
  if (config.branding?.logo) config.branding.logo = rel(config.branding.logo);
  if (config.upgrade.versionsDir) config.upgrade.versionsDir = rel(config.upgrade.versionsDir);
  for (const d of config.devices) {
    const auth = d.transport.type === "opcua" ? d.transport.auth : undefined;
    if (auth?.type !== "certificate") continue;
    auth.cert = rel(auth.cert);
    if (typeof auth.key === "string") auth.key = rel(auth.key);
  }
  if (config.nats.tls)
    for (const k of ["ca", "cert", "key"] as const) {
      const f = config.nats.tls[k];
      if (f) config.nats.tls[k] = rel(f);
    }
  const spb = config.sparkplug?.broker;
  if (spb) {
    if (spb.ca) spb.ca = rel(spb.ca);
    if (spb.cert) spb.cert = rel(spb.cert);
    if (typeof spb.key === "string") spb.key = rel(spb.key);
  }
  const dirs = [
    ...(options.profilesDirs ?? [findBundledProfilesDir()]),
    ...besideConfigProfilesDirs(file),
    ...config.profilesDirs.map(rel),
  ];
  let profiles: Map<string, AnyProfile>;
  try {
    profiles = loadProfiles(dirs);
  } catch (err) {
    // A folder that is missing, or holds a broken profile, is this config's problem to fix.
    throw new ConfigError(`${name}: invalid config\n  at profilesDirs: ${(err as Error).message}`);
  }

  const problems: string[] = [];
  // Devices with nodes of their own add their profile to this config's (and only this config's) map.
  const own = new Map(profiles);
  config.devices.forEach((d, i) => {
    if (!d.nodes) return;
    const made = profileOfNodes(d, own);
    if ("problem" in made) problems.push(`  ${at(["devices", i, ...made.path])}: ${made.problem}`);
    else own.set(made.profile.id, made.profile);
  });
  if (problems.length > 0) throw new ConfigError(`${name}: invalid config\n${problems.join("\n")}`);
  profiles = own;
  config.devices.forEach((d, i) => {
    const profile = profiles.get(d.profile);
    if (!profile) {
      problems.push(
        `  ${at(["devices", i, "profile"])}: unknown profile '${d.profile}'; known: ${[...profiles.keys()].sort().join(", ")}`,
      );
      return;
    }
    const wants = PROFILE_KIND_FOR_TRANSPORT[d.transport.type];
    if (profile.kind !== wants) {
      problems.push(
        `  ${at(["devices", i, "profile"])}: ${d.profile} is a ${profile.kind} profile; a ${d.transport.type} transport needs a ${wants} profile`,
      );
      return;
    }
    const ids = new Set(profile.points.map((p) => p.id));
    d.points?.forEach((p, j) => {
      if (!ids.has(p))
        problems.push(
          `  ${at(["devices", i, "points", j])}: profile ${d.profile} has no point '${p}'; it has: ${[...ids].join(", ")}`,
        );
    });
  });
  config.mqtt?.devices.forEach((d, i) => {
    const profile = profiles.get(d.profile);
    if (profile?.kind === "mqtt") return;
    const mqttIds = [...profiles.values()]
      .filter((p) => p.kind === "mqtt")
      .map((p) => p.id)
      .sort();
    problems.push(
      `  at mqtt.devices.${i}.profile: ${profile ? `${d.profile} is a ${profile.kind} profile` : `unknown profile '${d.profile}'`}; MQTT profiles: ${mqttIds.join(", ")}`,
    );
  });
  // A rule must watch a point some configured device has (a typo would otherwise never fire).
  const pointsOf = (deviceId: string) => {
    const d = config.devices.find((x) => x.id === deviceId);
    const p = d && profiles.get(d.profile);
    return new Set(p?.points.map((x) => x.id) ?? []);
  };
  const anyPoints = new Set(config.devices.flatMap((d) => [...pointsOf(d.id)]));
  const ruleIds = new Map<string, number>();
  config.rules.forEach((r, i) => {
    const earlier = ruleIds.get(r.id);
    if (earlier !== undefined)
      problems.push(`  at rules.${i}.id: rule id '${r.id}' is already rules.${earlier}`);
    ruleIds.set(r.id, i);
    if (r.device !== undefined && !config.devices.some((d) => d.id === r.device)) {
      problems.push(`  at rules.${i}.device: no device '${r.device}' in devices`);
      return;
    }
    const known = r.device !== undefined ? pointsOf(r.device) : anyPoints;
    if (!known.has(r.point) && !config.mqtt)
      problems.push(
        `  at rules.${i}.point: no configured device has a point '${r.point}'${r.device ? ` (device ${r.device} has: ${[...known].join(", ")})` : ""}`,
      );
  });
  // Devices on one serial port share one line: its settings must agree.
  const firstOnPort = new Map<string, number>();
  config.devices.forEach((d, i) => {
    const t = d.transport;
    if (t.type !== "rtu") return;
    const first = firstOnPort.get(t.port);
    if (first === undefined) {
      firstOnPort.set(t.port, i);
      return;
    }
    const other = config.devices[first]?.transport;
    if (other?.type !== "rtu") return;
    for (const key of ["baudRate", "parity", "dataBits", "stopBits", "interFrameDelayMs"] as const) {
      if (t[key] !== other[key])
        problems.push(
          `  ${at(["devices", i, "transport", key])}: ${t.port} is shared with devices.${first}${origins[first] ? ` (${origins[first]})` : ""} (${other[key] ?? "default"}); devices on one serial port must use the same ${key} (found ${t[key] ?? "default"})`,
        );
    }
  });
  if (problems.length > 0) throw new ConfigError(`${name}: invalid config\n${problems.join("\n")}`);
  const deviceOrigins = Object.fromEntries(config.devices.map((d, i) => [d.id, origins[i] ?? name]));
  // Every folder was parsed to check the config; only what its devices use stays (profiles made
  // from `nodes:` among them), and the library reads the rest again when asked.
  const used = new Map<string, AnyProfile>();
  for (const d of config.devices) used.set(d.profile, profiles.get(d.profile) as AnyProfile);
  for (const d of config.mqtt?.devices ?? []) used.set(d.profile, profiles.get(d.profile) as AnyProfile);
  const library = createProfileLibrary(dirs, used);
  return {
    file,
    config,
    profiles: used,
    library,
    warnings: warnings.map((w) => `${name}: ${w}`),
    deviceOrigins,
  };
}

/**
 * Appends the devices of a `devices.d/` folder to the text's own, after migration (those files are
 * written in the current format). The same id twice is refused naming both files, since the
 * schema's own duplicate check could only name one index.
 */
function mergeDeviceFiles(data: unknown, name: string, dir: string | undefined): (string | undefined)[] {
  if (dir === undefined || data === null || typeof data !== "object") return [];
  let files: ReturnType<typeof readDeviceFiles>;
  try {
    files = readDeviceFiles(dir);
  } catch (err) {
    if (err instanceof DevicesDirError) throw new ConfigError(err.message);
    throw err;
  }
  if (files.length === 0) return [];
  const root = data as Record<string, unknown>;
  const own = Array.isArray(root.devices) ? (root.devices as unknown[]) : [];
  if (root.devices !== undefined && root.devices !== null && !Array.isArray(root.devices)) return [];
  const origins: (string | undefined)[] = own.map(() => undefined);
  const seen = new Map<string, string>();
  const idOf = (d: unknown) =>
    d !== null && typeof d === "object" && typeof (d as { id?: unknown }).id === "string"
      ? (d as { id: string }).id
      : undefined;
  own.forEach((d, i) => {
    const id = idOf(d);
    if (id !== undefined) seen.set(id, `${name} (devices.${i})`);
  });
  const clashes: string[] = [];
  for (const f of files) {
    const id = idOf(f.data);
    const earlier = id === undefined ? undefined : seen.get(id);
    if (id !== undefined && earlier)
      clashes.push(`  device id '${id}' is in both ${earlier} and ${f.file}; remove or rename one of them`);
    if (id !== undefined) seen.set(id, f.file);
    origins.push(f.file);
  }
  if (clashes.length > 0) throw new ConfigError(`${name}: invalid config\n${clashes.join("\n")}`);
  root.devices = [...own, ...files.map((f) => f.data)];
  return origins;
}

function readConfigText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(
      `${file}: cannot read config: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}. Start from agent/config.example.yaml.`,
    );
  }
}

/** The config file with the devices of `devices.d/` beside it (decision 32). */
export function loadConfigFile(file: string, options: { profilesDirs?: string[] } = {}): LoadedConfig {
  return parseConfig(readConfigText(file), file, { ...options, devicesDir: devicesDirOf(file) });
}

/**
 * The config in the current format, comments kept, for the user to review and save; the
 * program never writes it back itself.
 */
export function printMigratedConfig(file: string): { text: string; warnings: string[] } {
  const doc = parseYaml(readConfigText(file), file);
  try {
    const { warnings } = migrateConfigDocument(doc);
    return { text: doc.toString(), warnings };
  } catch (err) {
    if (err instanceof ConfigVersionError) throw new ConfigError(`${file}: ${err.message}`);
    throw err;
  }
}
