import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { TidegateError } from "@tidegate/protocol";
import { isSeq, parseDocument, stringify } from "yaml";
import { writeFileAtomic } from "./write-atomic.js";

/**
 * Devices added on the gateway (the commissioning page) live in `devices.d/` beside the config
 * file, one YAML file per device, so the user's own file is never rewritten (decision 32).
 */
export const DEVICES_DIR = "devices.d";

export class DevicesDirError extends TidegateError {
  override name = "DevicesDirError";
  readonly code = "config.invalid";
}

export const devicesDirOf = (configFile: string) => join(dirname(resolve(configFile)), DEVICES_DIR);

export interface DeviceFile {
  /** The file's path. */
  file: string;
  /** The device as written, validated later with every other device by the config schema. */
  data: unknown;
}

/** Every `*.yaml` / `*.yml` in the folder, by name; no folder is no devices. */
export function readDeviceFiles(dir: string): DeviceFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new DevicesDirError(`${dir}: cannot read the devices folder: ${(err as Error).message}`);
  }
  return names
    .filter((n) => /\.ya?ml$/.test(n) && !n.startsWith("."))
    .sort()
    .map((n) => {
      const file = join(dir, n);
      const doc = parseDocument(readFileSync(file, "utf8"), { prettyErrors: true });
      if (doc.errors.length > 0)
        throw new DevicesDirError(
          `${file}: not valid YAML:\n${doc.errors.map((e) => `  ${e.message}`).join("\n")}`,
        );
      const data: unknown = doc.toJS();
      if (data === null || typeof data !== "object" || Array.isArray(data))
        throw new DevicesDirError(
          `${file}: expected one device (a mapping with id, profile, transport, …), found ${Array.isArray(data) ? "a list" : JSON.stringify(data)}; a file in ${DEVICES_DIR}/ holds a single device`,
        );
      return { file, data };
    });
}

export const deviceFilePath = (dir: string, id: string) => join(dir, `${id}.yaml`);

/** Writes one added device's file (temporary name, synced, renamed); returns how to undo it. */
export function writeDeviceFile(dir: string, device: { id: string }, header: string): () => void {
  mkdirSync(dir, { recursive: true });
  const path = deviceFilePath(dir, device.id);
  writeFileAtomic(path, `# ${header}\n${stringify(device)}`);
  return () => {
    // Kept aside rather than deleted, in case someone edited it meanwhile.
    try {
      renameSync(path, join(dir, `.${device.id}.yaml.rolled-back`));
    } catch {
      rmSync(path, { force: true });
    }
  };
}

/**
 * A config text with devices appended to its `devices:` list, its comments kept: the file with its
 * `devices.d/` folder as one text (config version 0), or a version with one device more.
 */
export function appendDevices(text: string, devices: readonly unknown[]): string {
  if (devices.length === 0) return text;
  const doc = parseDocument(text);
  const list = doc.get("devices", true);
  if (list === undefined || list === null || (!isSeq(list) && doc.get("devices") === null))
    doc.set("devices", doc.createNode([...devices]));
  else if (isSeq(list)) for (const d of devices) list.add(doc.createNode(d));
  else throw new DevicesDirError("the config's devices: is not a list; fix it before adding devices");
  return doc.toString();
}
