import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { ReleaseManifest } from "@tidegate/protocol";
import type { Logger } from "pino";
import { extract } from "tar";
import type { VersionsLayout } from "./layout.js";

const run = promisify(execFile);

/** What install.sh writes to .node-abi: node_modules built for another Node or CPU cannot be reused. */
export const abiStamp = () => `${process.platform}-${process.arch} node-abi-${process.versions.modules}`;

const read = (file: string) => {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
};

async function step(what: string, command: string, args: string[], cwd: string) {
  try {
    await run(command, args, { cwd, maxBuffer: 4 * 1024 * 1024, timeout: 10 * 60_000 });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    const output = `${e.stdout ?? ""}${e.stderr ?? ""}`.trim().split("\n").slice(-5).join(" | ");
    throw new Error(`${what}: ${output || e.message}`);
  }
}

/**
 * Unpacks a verified release beside the running version, as install.sh stages one: the folder is
 * built under a dot name and renamed to `<version>` only once it is complete (dependencies in
 * place, native modules load, the new program accepts the config), so a failure leaves the layout
 * as it was. node_modules is copied from the running version when the lockfile and Node ABI are
 * the same, otherwise installed with `npm ci --omit=dev` (which needs the registry).
 */
export async function unpackRelease(o: {
  layout: VersionsLayout;
  manifest: ReleaseManifest;
  tarball: Uint8Array;
  configFile: string;
  /** npm's cache for `npm ci`: a folder the service may write. */
  npmCacheDir: string;
  log: Logger;
}): Promise<string> {
  const { layout, manifest } = o;
  if (manifest.version === layout.current) throw new Error(`version ${manifest.version} is running already`);
  const partial = join(layout.dir, `.${manifest.version}.partial`);
  const file = `${partial}.tar.gz`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  try {
    writeFileSync(file, o.tarball);
    await extract({ file, cwd: partial, strip: 1 });
    const pkg = JSON.parse(read(join(partial, "package.json")) ?? "{}") as {
      name?: string;
      version?: string;
    };
    if (pkg.name !== "tidegate-agent" || pkg.version !== manifest.version)
      throw new Error(
        `the tarball holds ${pkg.name ?? "no package"} ${pkg.version ?? ""}, not tidegate-agent ${manifest.version}`,
      );
    const reuse =
      existsSync(join(layout.currentDir, "node_modules")) &&
      read(join(layout.currentDir, "package-lock.json")) === read(join(partial, "package-lock.json")) &&
      read(join(layout.currentDir, ".node-abi"))?.trim() === abiStamp();
    o.log.info(
      reuse
        ? `upgrade to ${manifest.version}: dependencies unchanged, copying node_modules from ${layout.current}`
        : `upgrade to ${manifest.version}: dependencies changed, installing them (npm ci --omit=dev)`,
    );
    // cp in a child process, as install.sh copies: a synchronous copy of some 10,000 files would
    // hold the event loop (heartbeats, polls, the systemd watchdog) for many seconds.
    if (reuse)
      await step(
        "copying node_modules from the running version failed",
        "cp",
        ["-a", join(layout.currentDir, "node_modules"), join(partial, "node_modules")],
        partial,
      );
    else
      await step(
        "npm ci --omit=dev failed (the dependencies changed and the registry must be reachable)",
        "npm",
        ["ci", "--omit=dev", "--no-audit", "--no-fund", "--loglevel=error", "--cache", o.npmCacheDir],
        partial,
      );
    await step(
      "better-sqlite3 does not load in the new version",
      process.execPath,
      ["-e", 'new (require("better-sqlite3"))(":memory:").close()'],
      partial,
    );
    writeFileSync(join(partial, ".node-abi"), abiStamp());
    await step(
      `the new version rejects ${o.configFile} (tidegate-agent config migrate prints it in the new format)`,
      process.execPath,
      [join(partial, "dist/cli.js"), "check", "--config", o.configFile],
      partial,
    );
    const target = join(layout.dir, manifest.version);
    rmSync(target, { recursive: true, force: true });
    renameSync(partial, target);
    return target;
  } finally {
    rmSync(file, { force: true });
    rmSync(partial, { recursive: true, force: true });
  }
}
