import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/transport-node";
import { verifyRelease } from "@tidegate/node-kit";
import { type UpgradeStatus, upgradeStatusSchema } from "@tidegate/protocol";
import type { Logger } from "pino";
import { CommandError } from "../remote/errors.js";
import type { DownloadOptions } from "./download.js";
import { findLayout, pruneVersions, rollBack, switchTo, type VersionsLayout } from "./layout.js";
import { transition, type UpgradeEvent } from "./state.js";

export interface UpgraderOptions {
  config: { publicKey?: string; versionsDir?: string; healthyWithinS?: number };
  /** The config file the new version must accept before it is switched to. */
  configFile: string;
  /** Where the upgrade's state is kept across the restart (next to the buffer). */
  stateDir: string;
  /** The running program's file (process.argv[1]); the layout is found from it. */
  programFile: string;
  /** The version this process runs when it is not in a versions layout. */
  runningVersion: string;
  connection: () => NatsConnection | undefined;
  /** Whether the gateway is healthy: after a restart, an upgrade ends when it is. */
  healthy: () => boolean;
  /** Stops the agent cleanly and exits; systemd (Restart=always) starts it again, from `current`. */
  restart: () => void;
  log: Logger;
  now?: () => number;
  download?: Pick<DownloadOptions, "attempts" | "idleMs" | "backoff">;
}

/**
 * `agent.upgrade`: downloads a release from the collector's bucket, verifies its sha256 and its
 * ed25519 signature against the key this gateway was provisioned with, unpacks it beside the
 * running version, switches `current` and restarts. The state goes out in the heartbeat and is
 * kept in `upgrade-state.json`, so the restarted agent reports `healthy` once it is.
 */
export function createUpgrader(o: UpgraderOptions) {
  const now = o.now ?? Date.now;
  const file = join(o.stateDir, "upgrade-state.json");
  let status = load();

  function load(): UpgradeStatus | undefined {
    try {
      const parsed = upgradeStatusSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }
  function save() {
    try {
      writeFileSync(`${file}.new`, JSON.stringify(status));
      renameSync(`${file}.new`, file);
    } catch (err) {
      o.log.warn({ err }, `cannot keep the upgrade state in ${file}; it is reported until a restart`);
    }
  }
  function apply(event: UpgradeEvent) {
    const before = status?.state;
    status = transition(status, event, now());
    if (status.state !== before) {
      save();
      o.log.info(
        { upgrade: status },
        `upgrade to ${status.version}: ${status.state}${status.error ? `: ${status.error}` : ""}`,
      );
    }
  }
  const layout = (): VersionsLayout =>
    findLayout({
      programFile: o.programFile,
      ...(o.config.versionsDir ? { versionsDir: o.config.versionsDir } : {}),
    });
  const running = () => {
    try {
      return layout().current;
    } catch {
      return o.runningVersion;
    }
  };

  /** A refusal before anything was fetched: reported in the heartbeat and to the requester. */
  function refuse(version: string, error: string): never {
    status = { state: "refused", version, from: running(), at: now(), error };
    save();
    o.log.warn({ upgrade: status }, `upgrade to ${version} refused: ${error}`);
    throw new CommandError(`agent.upgrade: ${error}`);
  }

  async function carryOut(version: string, where: VersionsLayout, publicKeyPem: string) {
    try {
      // The Object Store client and tar load for an upgrade only, not in every running agent (decision 54).
      const [{ downloadRelease }, { unpackRelease }] = await Promise.all([
        import("./download.js"),
        import("./unpack.js"),
      ]);
      const { manifest, tarball } = await downloadRelease({
        connection: o.connection,
        version,
        log: o.log,
        onProgress: (received, size) => apply({ type: "progress", received, size }),
        ...o.download,
      });
      apply({ type: "downloaded" });
      try {
        verifyRelease({
          tarball,
          signature: manifest.signature,
          publicKeyPem,
          sha256: manifest.sha256,
          keyWhere: `upgrade.publicKey ${o.config.publicKey}`,
        });
        if (manifest.version !== version)
          throw new Error(`the bucket's release ${version} says it is ${manifest.version}`);
      } catch (err) {
        apply({ type: "refused", error: (err as Error).message });
        return;
      }
      apply({ type: "verified" });
      await unpackRelease({
        layout: where,
        manifest,
        tarball,
        configFile: o.configFile,
        npmCacheDir: join(o.stateDir, "npm-cache"),
        log: o.log,
      });
      switchTo(where, version);
      try {
        const pruned = pruneVersions(where);
        if (pruned.length) o.log.info(`upgrade to ${version}: removed older versions ${pruned.join(", ")}`);
      } catch (err) {
        // A version left on the card costs space, not the upgrade.
        o.log.warn({ err }, `upgrade to ${version}: could not remove older versions from ${where.dir}`);
      }
      apply({ type: "installed" });
      o.log.info(`upgrade to ${version}: ${where.dir}/current switched; restarting`);
      o.restart();
    } catch (err) {
      apply({ type: "failed", error: (err as Error).message });
    }
  }

  return {
    /** The latest upgrade, for the heartbeat; after a restart it becomes healthy once the gateway is. */
    status(): UpgradeStatus | undefined {
      if (status?.state !== "restarting") return status;
      const healthy = o.healthy();
      apply({ type: "running", version: running(), healthy });
      const withinMs = (o.config.healthyWithinS ?? 120) * 1000;
      if (status.state === "restarting" && !healthy && now() - status.at > withinMs) {
        const why = `not healthy within ${withinMs / 1000} s of the restart (uplink down or a device failing)`;
        try {
          const previous = rollBack(layout());
          apply({ type: "rolled-back", error: `${why}; back to ${previous}` });
          o.restart();
        } catch (err) {
          apply({ type: "failed", error: `${why}, and it cannot go back: ${(err as Error).message}` });
        }
      }
      return status;
    },
    start(args: { version: string }): UpgradeStatus {
      const { version } = args;
      if (!o.config.publicKey)
        refuse(
          version,
          "this gateway has no upgrade.publicKey: provision the fleet's release public key (PEM) and set upgrade.publicKey to its file",
        );
      let publicKeyPem: string;
      try {
        publicKeyPem = readFileSync(o.config.publicKey, "utf8");
      } catch (err) {
        refuse(
          version,
          `upgrade.publicKey: cannot read ${o.config.publicKey} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
        );
      }
      let where: VersionsLayout;
      try {
        where = layout();
      } catch (err) {
        refuse(version, (err as Error).message);
      }
      if (where.current === version)
        throw new CommandError(`agent.upgrade: version ${version} is running already`);
      try {
        apply({ type: "start", version, from: where.current });
      } catch (err) {
        throw new CommandError(`agent.upgrade: ${(err as Error).message}`);
      }
      void carryOut(version, where, publicKeyPem);
      return status as UpgradeStatus;
    },
  };
}

export type Upgrader = ReturnType<typeof createUpgrader>;
