import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startProcess } from "./process.js";

export const repo = fileURLToPath(new URL("../../..", import.meta.url));
export const installScript = join(repo, "systemd/install.sh");

/** Runs a program to its end; its output is stdout and stderr together. */
export async function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const proc = startProcess(command, args, { env });
  const code = await new Promise<number | null>((resolve) => proc.child.once("exit", resolve));
  return { code, output: proc.output() };
}

/** A staging root with copies of this machine's account files, so useradd --prefix has its own. */
export function stagingRoot(): string {
  const root = mkdtempSync(join(tmpdir(), "tidegate-root-"));
  mkdirSync(join(root, "etc"));
  for (const file of ["passwd", "group", "shadow", "gshadow", "login.defs"]) {
    copyFileSync(join("/etc", file), join(root, "etc", file));
  }
  return root;
}

export interface PrebuildMirror {
  /** For npm_config_better_sqlite3_binary_host: prebuild-install downloads from here. */
  host: string;
  /** Paths requested so far. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * Plays better-sqlite3's release downloads, as a Pi reaches them: prebuild-install fetches
 * `<host>/v<version>/better-sqlite3-v<version>-node-v<abi>-<platform>-<arch>.tar.gz`, here packed from
 * this checkout's own build. The host has a fresh path, so prebuild-install's download cache never
 * answers for it.
 */
export async function startPrebuildMirror(): Promise<PrebuildMirror> {
  const version = JSON.parse(readFileSync(join(repo, "node_modules/better-sqlite3/package.json"), "utf8"))
    .version as string;
  const dir = mkdtempSync(join(tmpdir(), "tidegate-prebuild-"));
  mkdirSync(join(dir, "build/Release"), { recursive: true });
  copyFileSync(
    join(repo, "node_modules/better-sqlite3/build/Release/better_sqlite3.node"),
    join(dir, "build/Release/better_sqlite3.node"),
  );
  const file = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  execFileSync("tar", ["-czf", join(dir, file), "-C", dir, "build"]);
  const tarball = readFileSync(join(dir, file));
  const prefix = `/${randomUUID()}`;
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? "");
    if (req.url === `${prefix}/v${version}/${file}`) {
      res.writeHead(200, { "content-type": "application/gzip" }).end(tarball);
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `http://127.0.0.1:${port}${prefix}`,
    requests,
    async close() {
      // npm keeps its connections alive; close() alone would wait for them to time out.
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `systemd-analyze verify` on units whose programs are not installed on this machine: each
 * unit is copied with /usr/local/bin/ pointed at `binDir`, where the caller put the programs.
 * verify exits 0 even when it warns, so the output is what tells.
 */
export async function verifyUnits(unitFiles: string[], binDir: string) {
  const dir = mkdtempSync(join(tmpdir(), "tidegate-units-"));
  try {
    const copies = unitFiles.map((file) => {
      const copy = join(dir, basename(file));
      writeFileSync(copy, readFileSync(file, "utf8").replaceAll("/usr/local/bin/", `${binDir}/`));
      return copy;
    });
    return await run("systemd-analyze", ["verify", ...copies]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A copy of an unpacked release under another version (its package.json changed, and whatever
 * `patch` does to the copy), packed as pack-release packs one; the same lockfile, so an upgrade to
 * it reuses node_modules.
 */
export async function releaseAs(
  unpacked: string,
  version: string,
  work: string,
  patch?: (dir: string) => void,
): Promise<string> {
  const top = `tidegate-agent-${version}`;
  const dir = join(work, top);
  rmSync(dir, { recursive: true, force: true });
  execFileSync("cp", ["-R", unpacked, dir]);
  const pkgFile = join(dir, "package.json");
  const pkg = JSON.parse(readFileSync(pkgFile, "utf8"));
  writeFileSync(pkgFile, `${JSON.stringify({ ...pkg, version }, null, 2)}\n`);
  patch?.(dir);
  const tarball = join(work, `${top}.tar.gz`);
  execFileSync("tar", ["-czf", tarball, "-C", work, top]);
  rmSync(dir, { recursive: true, force: true });
  return tarball;
}
