import { mkdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { DeviceConfig } from "../config/schema.js";
import { writeFileAtomic } from "../config/write-atomic.js";
import { SECRET_PATHS } from "./mask.js";

/**
 * Secrets of devices added on the gateway live in `secrets.d/` beside the config file, one file
 * each (mode 0600, the folder 0700), and the device names its file (`password: { file: … }`):
 * `devices.d/` and every config version then hold a reference, never the password (decision 48).
 */
export const SECRETS_DIR = "secrets.d";

export const secretsDirOf = (configFile: string) => join(dirname(resolve(configFile)), SECRETS_DIR);

// Where a device's string is the secret itself. A certificate's `key` string is a PEM file's
// path (client-options.ts), so it stays as written.
const INLINE_PATHS = SECRET_PATHS.filter((p) => p.startsWith("devices.*.") && !p.endsWith(".key")).map((p) =>
  p.slice("devices.*.".length).split("."),
);

/**
 * The device with each inline secret moved into `dir/<device>.<path>` and referenced by that
 * file; `undo` removes the files again (a change rolled back). A `{ file }` or `{ env }` reference
 * is kept as it is.
 */
export function moveDeviceSecrets(
  dir: string,
  device: DeviceConfig,
): { device: DeviceConfig; undo: () => void } {
  const copy = structuredClone(device) as unknown as Record<string, unknown>;
  const written: string[] = [];
  for (const path of INLINE_PATHS) {
    const parent = path
      .slice(0, -1)
      .reduce<unknown>(
        (node, key) =>
          node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined,
        copy,
      ) as Record<string, unknown> | undefined;
    const key = path.at(-1) as string;
    const value = parent?.[key];
    if (typeof value !== "string") continue;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, `${device.id}.${path.join(".")}`);
    // One newline more than the secret has: reading drops one (node-kit's secretFileText).
    writeFileAtomic(file, `${value}\n`, 0o600);
    written.push(file);
    (parent as Record<string, unknown>)[key] = { file };
  }
  return {
    device: copy as unknown as DeviceConfig,
    undo: () => {
      for (const file of written) rmSync(file, { force: true });
    },
  };
}
