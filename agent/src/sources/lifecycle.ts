import type { AnyProfile } from "@tidegate/profiles";
import type { Reading } from "@tidegate/protocol";
import type { Logger } from "pino";
import type { LoadedConfig } from "../config/load.js";
import { createSources, type DeviceView } from "./index.js";

type SourceOptions = Parameters<typeof createSources>[4] & {
  /** Runs on every replace, after the old sources stopped and before the new ones start. */
  onReplace?: (next: LoadedConfig, previous: LoadedConfig) => Promise<void>;
};
type Sources = ReturnType<typeof createSources>;

/**
 * Is this device up, for a config change to count as working? Modbus and serial-line devices:
 * after a good read (or line) since they started. MQTT devices publish on their own schedule
 * (a sensor may report every 10 minutes), so for them it is enough that the broker side is not
 * failing; waiting for a first message could roll back a good config.
 */
export function deviceUp(d: DeviceView): boolean {
  if (d.profile.kind === "mqtt") return d.health.status !== "failing";
  return d.health.status === "ok" || d.health.status === "degraded";
}

/**
 * The running sources, replaceable as a whole (config.apply) or one device at a time
 * (source.restart). Only the sources are touched: the buffer, the uplink and the alerts live
 * outside, so readings already taken (buffered or in flight) are never affected.
 */
export function createSourcesLifecycle(
  initial: LoadedConfig,
  emit: (readings: Reading[]) => void,
  log: Logger,
  options: SourceOptions = {},
) {
  let loaded = initial;
  let sources = createSources(loaded.config, loaded.profiles, emit, log, options);

  return {
    loaded: () => loaded,
    devices: (): DeviceView[] => sources.devices(),
    drops: () => sources.drops(),
    modbusTarget: (deviceId: string) => sources.modbusTarget(deviceId),
    opcuaBrowse: (deviceId: string, node?: string) => sources.opcuaBrowse(deviceId, node),
    /** Through whichever sources run now: a config change replaces the broker connection. */
    mqttPublish: (...args: Parameters<Sources["mqttPublish"]>) => sources.mqttPublish(...args),
    start: () => sources.start(),
    stop: () => sources.stop(),
    /** Stops every source, then starts the ones `next` describes; it throws if they cannot start. */
    async replace(next: LoadedConfig) {
      await sources.stop();
      const previous = loaded;
      const fresh = createSources(next.config, next.profiles, emit, log, options);
      sources = fresh;
      loaded = next;
      // Between the old sources and the new: what follows them (the Sparkplug edge node) sees the
      // new devices' first readings.
      await options.onReplace?.(next, previous);
      await fresh.start();
    },
    restart: (deviceId: string) => sources.restart(deviceId),
    /**
     * A profile saved on the gateway, known from now on to previews and config changes' checks; the
     * running sources keep the profiles they started with.
     */
    learnProfile(profile: AnyProfile) {
      loaded.profiles.set(profile.id, profile);
      loaded.library.invalidate();
    },
    /** Undoes learnProfile: a profile saved for a change that was then refused or rolled back. */
    forgetProfile(id: string) {
      loaded.profiles.delete(id);
      loaded.library.invalidate();
    },
    /**
     * Resolves once every configured device is up (deviceUp), or at the deadline with the first
     * device that is not, and the reason its health gives.
     */
    async waitUp(
      timeoutMs: number,
      everyMs = 200,
    ): Promise<{ up: true } | { up: false; device: string; reason: string }> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const down = sources.devices().find((d) => !deviceUp(d));
        if (!down) return { up: true };
        if (Date.now() >= deadline)
          return {
            up: false,
            device: down.id,
            reason:
              down.health.lastError ??
              `no good read within ${Math.round(timeoutMs / 1000)} s (status ${down.health.status})`,
          };
        await new Promise((r) => setTimeout(r, everyMs));
      }
    },
  };
}
export type SourcesLifecycle = ReturnType<typeof createSourcesLifecycle>;
