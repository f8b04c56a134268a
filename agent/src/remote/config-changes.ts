import { readFileSync, statSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import type { CommandArgs, CommandResult } from "@tidegate/protocol";
import type { Logger } from "pino";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import {
  appendDevices,
  DevicesDirError,
  deviceFilePath,
  devicesDirOf,
  readDeviceFiles,
  writeDeviceFile,
} from "../config/devices-dir.js";
import { ConfigError, type LoadedConfig, parseConfig } from "../config/load.js";
import type { AgentConfig, DeviceConfig } from "../config/schema.js";
import type { SourcesLifecycle } from "../sources/lifecycle.js";
import type { ConfigStore } from "./config-store.js";
import { moveDeviceSecrets, secretsDirOf } from "./device-secrets.js";
import { ChangeBusyError, CommandError, ConfigRolledBackError } from "./errors.js";
import { maskSecrets, restoreMaskedSecrets } from "./mask.js";

/**
 * The parts of the config a running agent takes over by restarting its sources (and the Sparkplug
 * edge node, when its section changed). The rest (gateway
 * id, NATS, buffer, uplink, HTTP, alerts, rules) is wired into parts that stay open during a
 * change (that is what keeps buffered data safe), so changing it needs an edit of the config file
 * and a restart.
 */
export const LIVE_SECTIONS = ["devices", "mqtt", "sparkplugSources", "sparkplug", "profilesDirs"] as const;
/**
 * Not compared: the HTTP server is not restarted by a change, its settings apply at the next
 * start (and `--port` overrides the config's port anyway, so the running value is not the file's).
 */
const NEXT_START_SECTIONS = ["http"];

/** Keys outside LIVE_SECTIONS whose value differs. */
export function fixedSectionChanges(running: AgentConfig, next: AgentConfig): string[] {
  const keys = new Set([...Object.keys(running), ...Object.keys(next)]);
  return (
    [...keys]
      .filter((k) => !(LIVE_SECTIONS as readonly string[]).includes(k) && !NEXT_START_SECTIONS.includes(k))
      // Deep equality, not JSON text: the same section may hold its keys in another order.
      .filter((k) => !isDeepStrictEqual(running[k as keyof AgentConfig], next[k as keyof AgentConfig]))
      .sort()
  );
}

export interface ConfigChangesOptions {
  lifecycle: SourcesLifecycle;
  store: ConfigStore;
  /** The config file the agent was started with: anchor of relative paths, and rollback version 0. */
  file: string;
  /** The version running at start (0: the file). */
  version: number;
  log: Logger;
}

/**
 * config.get / apply / history / rollback and source.restart. One change at a time: a second
 * one while the first waits for its devices is refused, not queued.
 */
export function createConfigChanges(o: ConfigChangesOptions) {
  const { lifecycle, store, log } = o;
  let version = o.version;
  let busy: string | undefined;

  async function exclusive<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (busy)
      throw new ChangeBusyError(`another change is in progress (${busy}); try again when it has finished`);
    busy = what;
    try {
      return await fn();
    } finally {
      busy = undefined;
    }
  }

  /** The text to keep and the config it gives; secrets sent masked are taken from the running config. */
  function prepare(
    input: string | Record<string, unknown>,
    label: string,
  ): { text: string; next: LoadedConfig } {
    let data: unknown = input;
    if (typeof input === "string") {
      try {
        data = parseYaml(input);
      } catch (err) {
        throw new CommandError(`${label}: not valid YAML or JSON: ${(err as Error).message}`);
      }
    }
    let restored: string[];
    try {
      ({ data, restored } = restoreMaskedSecrets(data, lifecycle.loaded().config));
    } catch (err) {
      throw new CommandError(`${label}: ${(err as Error).message}`);
    }
    // YAML text is kept as sent (comments and all) unless a masked secret had to be filled in.
    const text = typeof input === "string" && restored.length === 0 ? input : toYaml(data);
    try {
      return { text, next: parseConfig(text, o.file, { label }) };
    } catch (err) {
      if (err instanceof ConfigError) throw new CommandError(err.message);
      throw err;
    }
  }

  const devicesDir = devicesDirOf(o.file);
  /** Version 0: the config file with the devices of its `devices.d/` folder, as one text. */
  function fileText(): string {
    const text = readFileSync(o.file, "utf8");
    try {
      return appendDevices(
        text,
        readDeviceFiles(devicesDir).map((f) => f.data),
      );
    } catch (err) {
      if (err instanceof DevicesDirError) throw new CommandError(err.message);
      throw err;
    }
  }

  async function apply(
    input: string | Record<string, unknown>,
    meta: {
      actor?: string;
      origin: string;
      timeoutMs: number;
      label?: string;
      /** Runs once the new sources are up, before the version is settled; a throw rolls back. */
      commit?: (version: number) => void;
    },
  ): Promise<CommandResult<"config.apply">> {
    const label =
      meta.label ?? (meta.origin === "apply" ? "config.apply" : `config.rollback (${meta.origin})`);
    const { text, next } = prepare(input, label);
    // The HTTP server stays as it runs (see NEXT_START_SECTIONS).
    next.config.http = lifecycle.loaded().config.http;
    const fixed = fixedSectionChanges(lifecycle.loaded().config, next.config);
    if (fixed.length > 0)
      throw new CommandError(
        `${label}: ${fixed.join(", ")} cannot change on a running agent (only ${LIVE_SECTIONS.join(", ")} can: the buffer and uplink stay open during a change); keep ${fixed.length > 1 ? "them" : "it"} as config.get shows, or edit the config file on the gateway and restart the agent`,
      );
    const previous = lifecycle.loaded();
    const previousVersion = version;
    const saved = store.save(text, { ...(meta.actor ? { actor: meta.actor } : {}), origin: meta.origin });
    const v = saved.version;
    log.info(
      { config: { version: v, previous: previousVersion, actor: meta.actor, sha256: saved.sha256 } },
      `applying remote config version ${v} (${meta.origin}${meta.actor ? ` by ${meta.actor}` : ""}): restarting sources; the buffer and uplink stay open`,
    );
    let failure: string | undefined;
    try {
      await lifecycle.replace(next);
      const up = await lifecycle.waitUp(meta.timeoutMs);
      if (!up.up) failure = `device ${up.device}: ${up.reason}`;
    } catch (err) {
      failure = `its sources did not start: ${(err as Error).message}`;
    }
    if (failure === undefined)
      try {
        meta.commit?.(v);
      } catch (err) {
        failure = `its files could not be saved (${(err as Error).message}); the agent needs write access there`;
      }
    if (failure === undefined) {
      store.settle(v, "applied");
      store.setCurrent(v);
      version = v;
      log.info({ config: { version: v } }, `remote config version ${v} is in force`);
      return { version: v, devices: lifecycle.devices().map((d) => d.id) };
    }
    try {
      await lifecycle.replace(previous);
    } catch (err) {
      failure += `; restarting version ${previousVersion} failed too: ${(err as Error).message}`;
    }
    const reason = `config version ${v} was rolled back to version ${previousVersion} because ${failure}`;
    store.settle(v, "rolled-back", reason);
    log.warn({ config: { version: v, previous: previousVersion } }, reason);
    throw new ConfigRolledBackError(reason);
  }

  /**
   * Adds devices (the commissioning page, a CSV import): the running config's text with the
   * devices appended goes through apply like any change (validated, one new version, rolled back
   * if one does not come up), and once they run, each is written to `devices.d/<id>.yaml`, where
   * it outlives a later edit of the config file.
   */
  function addDevices(
    devices: readonly DeviceConfig[],
    meta: { actor?: string; timeoutMs: number; origin: string },
  ) {
    const label = `${meta.origin} (${devices.map((d) => d.id).join(", ")})`;
    const running = lifecycle.loaded();
    for (const device of devices) {
      const path = deviceFilePath(devicesDir, device.id);
      let fileExists: boolean;
      try {
        fileExists = statSync(path, { throwIfNoEntry: false }) !== undefined;
      } catch (err) {
        throw new CommandError(
          `${label}: cannot look into ${devicesDir} (${(err as NodeJS.ErrnoException).code}); it must be a folder the agent may write`,
        );
      }
      if (running.config.devices.some((d) => d.id === device.id))
        throw new CommandError(
          `${label}: a device '${device.id}' exists already (${fileExists ? path : running.deviceOrigins[device.id]}); choose another id`,
        );
      if (fileExists)
        throw new CommandError(
          `${label}: ${path} exists already but is not in the running config; remove it or choose another id`,
        );
    }
    let base: string;
    try {
      base = version === 0 ? fileText() : store.read(version);
    } catch (err) {
      if (err instanceof CommandError) throw err;
      throw new CommandError(`${label}: cannot read the running config: ${(err as Error).message}`);
    }
    // Passwords go to secrets.d/ before the change, since the new sources read them on start.
    const moved: ReturnType<typeof moveDeviceSecrets>[] = [];
    try {
      for (const device of devices) moved.push(moveDeviceSecrets(secretsDirOf(o.file), device));
    } catch (err) {
      for (const m of moved) m.undo();
      throw new CommandError(
        `${label}: cannot write the device's password to ${secretsDirOf(o.file)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); it must be a folder the agent may write`,
      );
    }
    const undoSecrets = () => {
      for (const m of moved) m.undo();
    };
    return applyDevices(
      base,
      moved.map((m) => m.device),
      meta,
      label,
    ).catch((err: unknown) => {
      undoSecrets();
      throw err;
    });
  }

  function applyDevices(
    base: string,
    devices: readonly DeviceConfig[],
    meta: { actor?: string; timeoutMs: number; origin: string },
    label: string,
  ) {
    return apply(appendDevices(base, devices), {
      origin: meta.origin,
      label,
      timeoutMs: meta.timeoutMs,
      ...(meta.actor ? { actor: meta.actor } : {}),
      commit: (v) => {
        const header = `added on the gateway (${meta.origin}${meta.actor ? ` by ${meta.actor}` : ""}, config version ${v}); edit or delete this file to change or remove the device`;
        const undo: (() => void)[] = [];
        try {
          for (const device of devices) undo.push(writeDeviceFile(devicesDir, device, header));
        } catch (err) {
          for (const u of undo) u();
          throw err;
        }
      },
    });
  }

  return {
    version: () => version,
    get: (): CommandResult<"config.get"> => ({
      version,
      config: maskSecrets(lifecycle.loaded().config) as unknown as Record<string, unknown>,
    }),
    history: (): CommandResult<"config.history"> => ({
      current: version,
      file: { path: o.file, modifiedAt: statSync(o.file, { throwIfNoEntry: false })?.mtimeMs ?? 0 },
      versions: store.list(),
    }),
    apply: (args: CommandArgs<"config.apply">, actor?: string) =>
      exclusive("config.apply", () =>
        apply(args.config, { origin: "apply", timeoutMs: args.timeoutMs, ...(actor ? { actor } : {}) }),
      ),
    rollback: (args: CommandArgs<"config.rollback">, actor?: string) =>
      exclusive(`config.rollback to ${args.version}`, async () => {
        let text: string;
        try {
          text = args.version === 0 ? fileText() : store.read(args.version);
        } catch (err) {
          if (err instanceof CommandError) throw err;
          throw new CommandError(
            args.version === 0
              ? `config.rollback: cannot read the config file ${o.file}`
              : `config.rollback: there is no config version ${args.version}; config.history lists them`,
          );
        }
        return apply(text, {
          origin: `rollback:${args.version}`,
          timeoutMs: args.timeoutMs,
          ...(actor ? { actor } : {}),
        });
      }),
    addDevice: (device: DeviceConfig, meta: { actor?: string; timeoutMs: number }) =>
      exclusive(`commission.add ${device.id}`, () =>
        addDevices([device], { ...meta, origin: "commission.add" }),
      ),
    addDevices: (devices: readonly DeviceConfig[], meta: { actor?: string; timeoutMs: number }) =>
      exclusive(`commission.import of ${devices.length} devices`, () =>
        addDevices(devices, { ...meta, origin: "commission.import" }),
      ),
    restart: (args: CommandArgs<"source.restart">) =>
      exclusive("source.restart", async (): Promise<CommandResult<"source.restart">> => {
        if (args.device === undefined) {
          log.info("remote source.restart: restarting every source");
          await lifecycle.replace(lifecycle.loaded());
          return { restarted: lifecycle.devices().map((d) => d.id) };
        }
        if (!(await lifecycle.restart(args.device)))
          throw new CommandError(
            `source.restart: no device '${args.device}'; devices: ${lifecycle
              .devices()
              .map((d) => d.id)
              .join(", ")}`,
          );
        log.info({ device: args.device }, `remote source.restart: restarted ${args.device}`);
        return { restarted: [args.device] };
      }),
  };
}
export type ConfigChanges = ReturnType<typeof createConfigChanges>;
