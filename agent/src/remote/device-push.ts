import { existsSync, rmSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { type AnyProfile, ProfileError, parseProfile } from "@tidegate/profiles";
import type { CommandArgs, CommandResult } from "@tidegate/protocol";
import { stringify } from "yaml";
import { ProfileConflictError, type ProfileStore } from "../commission/profile/profile-store.js";
import type { LoadedConfig } from "../config/load.js";
import { type DeviceConfig, deviceSchema } from "../config/schema.js";
import { CommandError } from "./errors.js";
import { maskSecrets } from "./mask.js";

export interface DevicePushOptions {
  loaded: () => LoadedConfig;
  /** Undoes the profile store's learn, when the change that needed the profile did not stay. */
  forgetProfile: (id: string) => void;
  /** Where a profile that travelled with a device is saved (the commissioning page's store). */
  profiles: ProfileStore;
  /** The config change that adds the device (config-changes.ts's addDevice). */
  addDevice: (
    device: DeviceConfig,
    meta: { actor?: string; timeoutMs: number },
  ) => Promise<CommandResult<"config.apply">>;
  /** A loaded profile's own text (its file), which travels with the device; undefined if not found. */
  profileText: (id: string) => string | undefined;
  /** Whether a serial port exists on this gateway; default: the path exists. */
  portExists?: (path: string) => boolean;
}

const issues = (e: { issues: { path: PropertyKey[]; message: string }[] }) =>
  e.issues.map((i) => `${i.path.join(".") || "(device)"}: ${i.message}`).join("; ");

/**
 * A device definition made on one gateway, pushed to others through the collector: `device.export`
 * on the gateway it was made on answers its `devices:` entry and its profile; `device.add` on each
 * target checks it, saves the profile when the target lacks it, and adds the device as a config
 * change of its own (validated, versioned, rolled back when it does not come up). A target that
 * refuses, or rolls back, leaves no file behind.
 */
export function createDevicePush(o: DevicePushOptions) {
  const portExists = o.portExists ?? existsSync;

  function exportDevice(args: CommandArgs<"device.export">): CommandResult<"device.export"> {
    const { config, profiles } = o.loaded();
    const device = config.devices.find((d) => d.id === args.device);
    if (!device)
      throw new CommandError(
        `device.export: no device '${args.device}'; devices: ${config.devices.map((d) => d.id).join(", ") || "none"}`,
      );
    // Secrets are never sent in the clear, and a masked one could not be filled in on another gateway.
    if (!isDeepStrictEqual(maskSecrets({ devices: [device] }).devices[0], device))
      throw new CommandError(
        `device.export: ${device.id} holds a secret inline; refer to it as { file } or { env } (the same on every gateway) before pushing it`,
      );
    const entry = device as unknown as Record<string, unknown>;
    // A device with OPC UA nodes: makes its own profile from them wherever it goes.
    const own = Array.isArray(entry.nodes);
    if (own) return { device: entry };
    return {
      device: entry,
      profile: { id: device.profile, yaml: profileYaml(profiles.get(device.profile)) },
    };
  }

  /**
   * The profile's file as written (comments, manual references and testdata kept), when it reads as
   * the profile running here; else the running profile written out, when that reads back the same
   * (the schema fills in some fields: a SunSpec point's address, for one, would not read back).
   */
  function profileYaml(profile: AnyProfile | undefined): string {
    if (!profile) throw new CommandError("device.export: the device's profile is not loaded");
    const text = o.profileText(profile.id);
    if (text !== undefined && sameProfile(text, profile)) return text;
    const written = stringify(profile);
    if (sameProfile(written, profile)) return written;
    throw new CommandError(
      `device.export: cannot find the file of profile ${profile.id} (looked for ${profile.id}.yaml in the profile folders); copy it to the other gateways' profile folders by hand`,
    );
  }

  function sameProfile(text: string, profile: AnyProfile): boolean {
    try {
      return isDeepStrictEqual(parseProfile(text, profile.id), profile);
    } catch {
      return false;
    }
  }

  /** The profile the device needs: this gateway's own when it is the same, else the one sent, saved. */
  function takeProfile(device: DeviceConfig, sent: CommandArgs<"device.add">["profile"], label: string) {
    const have = o.loaded().library.all().get(device.profile);
    if (!sent) {
      if (have || Array.isArray((device as { nodes?: unknown }).nodes)) return undefined;
      throw new CommandError(
        `${label}: this gateway has no profile '${device.profile}' and none was sent with the device`,
      );
    }
    if (sent.id !== device.profile)
      throw new CommandError(
        `${label}: the profile sent is ${sent.id}, but the device uses ${device.profile}`,
      );
    let profile: AnyProfile;
    try {
      profile = parseProfile(sent.yaml, `${label}: profile ${sent.id}`);
    } catch (err) {
      if (err instanceof ProfileError) throw new CommandError(err.message);
      throw err;
    }
    if (profile.id !== sent.id)
      throw new CommandError(`${label}: the profile sent says id ${profile.id}, expected ${sent.id}`);
    if (have) {
      if (isDeepStrictEqual(have, profile)) return { id: profile.id, saved: false };
      throw new CommandError(
        `${label}: this gateway's profile ${profile.id} differs from the one sent (the device would decode differently here); make the two the same, or save the sent one under another id first`,
      );
    }
    try {
      return { id: profile.id, saved: true, file: o.profiles.save(profile, sent.yaml, false).file };
    } catch (err) {
      if (err instanceof ProfileConflictError) throw new CommandError(`${label}: ${err.message}`);
      throw new CommandError(`${label}: profile ${profile.id} not saved: ${(err as Error).message}`);
    }
  }

  async function addDevice(
    args: CommandArgs<"device.add">,
    actor: string | undefined,
  ): Promise<CommandResult<"device.add">> {
    const parsed = deviceSchema.safeParse(args.device);
    const id = typeof args.device.id === "string" ? args.device.id : "?";
    if (!parsed.success)
      throw new CommandError(`device.add (${id}): invalid device: ${issues(parsed.error)}`);
    const device = parsed.data;
    const label = `device.add (${device.id})`;
    const running = o.loaded();
    if (running.config.devices.some((d) => d.id === device.id))
      throw new CommandError(
        `${label}: a device '${device.id}' exists already on this gateway (${running.deviceOrigins[device.id] ?? "its config"}); choose another id`,
      );
    const port = (device.transport as { port?: unknown }).port;
    if (typeof port === "string" && !portExists(port))
      throw new CommandError(
        `${label}: port ${port} does not exist on this gateway; connect the adapter (ports lists them) or change the device's port`,
      );
    const profile = takeProfile(device, args.profile, label);
    try {
      const result = await o.addDevice(device, { timeoutMs: args.timeoutMs, ...(actor ? { actor } : {}) });
      return {
        ...result,
        device: device.id,
        ...(profile ? { profile: { id: profile.id, saved: profile.saved } } : {}),
      };
    } catch (err) {
      // The device did not stay: neither does the profile saved for it.
      if (profile?.file) {
        rmSync(profile.file, { force: true });
        o.forgetProfile(profile.id);
      }
      throw err;
    }
  }

  return { exportDevice, addDevice };
}
