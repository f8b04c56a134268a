import { readFileSync } from "node:fs";
import type { NatsConnection } from "@nats-io/transport-node";
import { bundledProfilesDir } from "@tidegate/profiles";
import type { AgentStatus, UpgradeStatus } from "@tidegate/protocol";
import type { Logger } from "pino";
import { lifecycleProfileStore } from "../commission/profile/profile-store.js";
import { findProfileFile } from "../config/profiles-dir.js";
import type { LogRing } from "../log-ring.js";
import type { SourcesLifecycle } from "../sources/lifecycle.js";
import { alertAckHandler } from "./alert-ack.js";
import { createConfigChanges } from "./config-changes.js";
import { configVersionsDir, openConfigStore } from "./config-store.js";
import { createDevicePush } from "./device-push.js";
import { CommandError } from "./errors.js";
import { type CommandHandlers, startCommandResponder } from "./responder.js";
import { writePoint } from "./write.js";

export interface RemoteOptions {
  gateway: string;
  lifecycle: SourcesLifecycle;
  /** The config file the agent was started with. */
  file: string;
  /** The remote config version running at start; 0 = the file. */
  version: number;
  /** What the local /api/v1/status answers. */
  status: () => AgentStatus;
  logRing?: LogRing;
  /** The same acknowledgement the local ack route makes; true when it acknowledged. */
  acknowledgeAlert: (rule: string, device: string, by: string) => boolean;
  /** Starts a software upgrade (upgrade/upgrader.ts); answers at once, progress goes in the heartbeat. */
  upgrade: (args: { version: string }) => UpgradeStatus;
  log: Logger;
}

/** Remote management: the verbs, bound to this agent's parts; attach() starts answering on NATS. */
export function createRemote(o: RemoteOptions) {
  const { lifecycle, log } = o;
  const changes = createConfigChanges({
    lifecycle,
    store: openConfigStore(configVersionsDir(lifecycle.loaded().config, o.file)),
    file: o.file,
    version: o.version,
    log,
  });
  const push = createDevicePush({
    loaded: lifecycle.loaded,
    forgetProfile: lifecycle.forgetProfile,
    profiles: lifecycleProfileStore(lifecycle, o.file),
    addDevice: changes.addDevice,
    profileText: (id) => {
      const file = findProfileFile(o.file, lifecycle.loaded().config.profilesDirs, id, bundledProfilesDir);
      return file === undefined ? undefined : readFileSync(file, "utf8");
    },
  });
  const handlers: CommandHandlers = {
    status: () => ({ ...o.status() }),
    "config.get": () => changes.get(),
    "config.apply": (args, actor) => changes.apply(args, actor),
    "config.history": () => changes.history(),
    "config.rollback": (args, actor) => changes.rollback(args, actor),
    write: (args) => writePoint(lifecycle, args, log),
    "logs.tail": (args) => {
      if (!o.logRing) throw new CommandError("logs.tail: this agent keeps no log lines in memory");
      return { lines: o.logRing.tail(args.lines) };
    },
    "source.restart": (args) => changes.restart(args),
    "alert.ack": alertAckHandler(o.acknowledgeAlert),
    "agent.upgrade": (args) => o.upgrade(args),
    "device.export": (args) => push.exportDevice(args),
    "device.add": (args, actor) => push.addDevice(args, actor),
  };
  let responder: { stop(): void } | undefined;
  return {
    handlers,
    changes,
    attach(nc: NatsConnection) {
      responder?.stop();
      responder = startCommandResponder({ nc, gateway: o.gateway, handlers, log });
    },
    stop() {
      responder?.stop();
      responder = undefined;
    },
  };
}
