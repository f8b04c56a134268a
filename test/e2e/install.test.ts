import {
  appendFileSync,
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  installScript,
  type PrebuildMirror,
  repo,
  run,
  stagingRoot,
  startPrebuildMirror,
  verifyUnits,
} from "./helpers/install.js";

// systemd/install.sh for real, into staging roots (--root; never this machine's /etc or /opt) and
// without systemctl: a release tarball from scripts/pack-release.mjs, `npm ci --omit=dev` with
// better-sqlite3's prebuilt binary downloaded as on a Pi (from a local mirror: no compiler runs),
// the user, config, unit, then upgrade and uninstall. Needs root, as on a Pi (sudo).

const work = mkdtempSync(join(tmpdir(), "tidegate-install-"));
let mirror: PrebuildMirror;
beforeAll(async () => {
  mirror = await startPrebuildMirror();
});
afterAll(async () => {
  await mirror.close();
  rmSync(work, { recursive: true, force: true });
});

const npmEnv = () => ({
  npm_config_better_sqlite3_binary_host: mirror.host,
  npm_config_prefer_offline: "true",
});
const install = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  run("bash", [installScript, ...args, "--no-systemctl"], { ...npmEnv(), ...env });
const version = JSON.parse(readFileSync(join(repo, "agent/package.json"), "utf8")).version as string;
const passwdEntry = (root: string) =>
  readFileSync(join(root, "etc/passwd"), "utf8")
    .split("\n")
    .find((line) => line.startsWith("tidegate:"));

describe("install.sh", () => {
  const root = stagingRoot();
  const app = join(root, "opt/tidegate/agent");
  const versions = join(root, "opt/tidegate/versions/agent");
  const program = join(root, "usr/local/bin/tidegate-agent");
  const config = join(root, "etc/tidegate/agent.yaml");
  const data = join(root, "var/lib/tidegate");
  let tarball = "";
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("passes shellcheck", async () => {
    const { code, output } = await run("shellcheck", [installScript]);
    expect(output).toBe("");
    expect(code).toBe(0);
  });

  it("packs a release: the built program, its npm dependencies pinned to this repo's lockfile", async () => {
    const { code, output } = await run("node", [
      join(repo, "scripts/pack-release.mjs"),
      "agent",
      "--out",
      work,
    ]);
    expect(code, output).toBe(0);
    tarball = output.trim().split("\n").at(-1) as string;
    expect(tarball).toBe(join(work, `tidegate-agent-${version}.tar.gz`));
    const listing = (await run("tar", ["-tzf", tarball])).output.split("\n");
    for (const file of ["dist/cli.js", "package-lock.json", "install.sh", "config.example.yaml"]) {
      expect(listing).toContain(`tidegate-agent-${version}/${file}`);
    }
    const unpacked = join(work, `tidegate-agent-${version}`);
    const pkg = JSON.parse(readFileSync(join(unpacked, "package.json"), "utf8"));
    expect(Object.keys(pkg.dependencies).filter((d) => d.startsWith("@tidegate/"))).toEqual([]);
    const lock = JSON.parse(readFileSync(join(unpacked, "package-lock.json"), "utf8"));
    const repoLock = JSON.parse(readFileSync(join(repo, "package-lock.json"), "utf8"));
    for (const dep of [
      "node_modules/better-sqlite3",
      "node_modules/serialport",
      "node_modules/@nats-io/nats-core",
    ]) {
      expect(lock.packages[dep].version).toBe(repoLock.packages[dep].version);
    }
  });

  it("installs without a compiler: prebuilt native modules, the user, the config from the example, the unit", async () => {
    const { code, output } = await install(["install", "agent", "--from", tarball, "--root", root]);
    expect(code, output).toBe(0);
    // better-sqlite3 came as a download; a build from source would have left its object files.
    expect(mirror.requests.filter((r) => r.endsWith(".tar.gz"))).toHaveLength(1);
    expect(existsSync(join(app, "node_modules/better-sqlite3/build/Release/better_sqlite3.node"))).toBe(true);
    expect(existsSync(join(app, "node_modules/better-sqlite3/build/Release/obj.target"))).toBe(false);
    // @serialport/bindings-cpp ships its prebuilds inside the npm package.
    expect(existsSync(join(app, "node_modules/@serialport/bindings-cpp/prebuilds/linux-arm64"))).toBe(true);
    expect(existsSync(join(app, "node_modules/@serialport/bindings-cpp/prebuilds/linux-arm"))).toBe(true);

    expect(readlinkSync(program)).toBe("../../../opt/tidegate/agent/dist/cli.js");
    // Versions side by side; the app folder is a link to the current one (what agent.upgrade switches).
    expect(readlinkSync(app)).toBe("versions/agent/current");
    expect(readlinkSync(join(versions, "current"))).toBe(version);
    expect((await run(program, ["--version"])).output.trim()).toBe(version);
    expect(readFileSync(config, "utf8")).toBe(readFileSync(join(repo, "agent/config.example.yaml"), "utf8"));
    expect(statSync(config).mode & 0o777).toBe(0o640);
    const check = await run(program, ["check", "--config", config]);
    expect(check.code, check.output).toBe(0);

    const [, , uid, gid, , home, shell] = (passwdEntry(root) as string).split(":");
    expect({ home, shell }).toEqual({ home: "/var/lib/tidegate", shell: "/usr/sbin/nologin" });
    expect(statSync(data)).toMatchObject({ uid: Number(uid), gid: Number(gid) });
    // The folder of devices added on the commissioning page, the one the service may write in /etc.
    for (const folder of ["devices.d", "profiles.d"])
      expect(statSync(join(root, "etc/tidegate", folder))).toMatchObject({
        uid: Number(uid),
        gid: Number(gid),
      });

    const unit = join(root, "etc/systemd/system/tidegate-agent.service");
    expect(readFileSync(unit, "utf8")).toBe(
      readFileSync(join(repo, "systemd/tidegate-agent.service"), "utf8"),
    );
    const verify = await verifyUnits([unit], join(root, "usr/local/bin"));
    expect(verify.output).toBe("");
    expect(output).toContain("skipped (--no-systemctl): systemctl enable tidegate-agent");
  });

  it("refuses to install over an installed app", async () => {
    const { code, output } = await install(["install", "agent", "--from", tarball, "--root", root]);
    expect(code).toBe(1);
    expect(output).toContain("already installed");
    expect(output).toContain("use upgrade");
  });

  it("upgrades in place: the new release, the same config and data, unchanged dependencies reused", async () => {
    appendFileSync(config, "# edited on site\n");
    const edited = readFileSync(config, "utf8");
    writeFileSync(join(data, "buffer.db"), "readings");
    const next = join(work, "next");
    cpSync(join(work, `tidegate-agent-${version}`), next, { recursive: true });
    const pkgFile = join(next, "package.json");
    writeFileSync(
      pkgFile,
      readFileSync(pkgFile, "utf8").replace(`"version": "${version}"`, '"version": "9.9.9"'),
    );

    const { code, output } = await install(["upgrade", "agent", "--from", next, "--root", root]);
    expect(code, output).toBe(0);
    expect(output).toContain("reusing node_modules");
    expect(output).toContain(`upgraded tidegate-agent ${version} -> 9.9.9`);
    expect(output).toContain("skipped (--no-systemctl): systemctl try-restart tidegate-agent");
    expect(JSON.parse(readFileSync(join(app, "package.json"), "utf8")).version).toBe("9.9.9");
    expect(readlinkSync(join(versions, "current"))).toBe("9.9.9");
    expect(readlinkSync(join(versions, "previous"))).toBe(version);
    expect(existsSync(join(versions, version, "dist/cli.js"))).toBe(true); // kept to go back to
    expect(readFileSync(config, "utf8")).toBe(edited);
    expect(readFileSync(join(data, "buffer.db"), "utf8")).toBe("readings");
    expect(mirror.requests.filter((r) => r.endsWith(".tar.gz"))).toHaveLength(1); // nothing fetched again
    expect((await run(program, ["check", "--config", config])).code).toBe(0);
  });

  it("does not upgrade when the new version rejects the config, and leaves the running one alone", async () => {
    const good = readFileSync(config, "utf8");
    writeFileSync(config, `${good}\nnot-a-key: true\n`);
    const { code, output } = await install(["upgrade", "agent", "--from", tarball, "--root", root]);
    writeFileSync(config, good);
    expect(code).toBe(1);
    expect(output).toContain("the new version rejects");
    expect(JSON.parse(readFileSync(join(app, "package.json"), "utf8")).version).toBe("9.9.9");
    expect(existsSync(join(root, "opt/tidegate/.agent.new"))).toBe(false); // staged, then dropped
  });

  it("moves an install from before the versions layout into it on upgrade", async () => {
    // The app as a folder in /opt/tidegate/agent, as install.sh laid it out before versions.
    const installed = realpathSync(app);
    rmSync(app);
    renameSync(installed, app);
    rmSync(join(root, "opt/tidegate/versions"), { recursive: true, force: true });
    const { code, output } = await install(["upgrade", "agent", "--from", tarball, "--root", root]);
    expect(code, output).toBe(0);
    expect(output).toContain("reusing node_modules");
    expect(readlinkSync(app)).toBe("versions/agent/current");
    expect(readlinkSync(join(versions, "current"))).toBe(version);
    expect((await run(program, ["check", "--config", config])).code).toBe(0);
  });

  it("uninstalls the app and unit but keeps config and data; --purge removes those and the user", async () => {
    const removed = await install(["uninstall", "agent", "--root", root]);
    expect(removed.code, removed.output).toBe(0);
    for (const gone of [app, program, join(root, "etc/systemd/system/tidegate-agent.service")]) {
      expect(existsSync(gone)).toBe(false);
    }
    expect(existsSync(join(root, "opt/tidegate"))).toBe(false);
    expect(readFileSync(join(data, "buffer.db"), "utf8")).toBe("readings");
    expect(existsSync(config)).toBe(true);

    const purged = await install(["uninstall", "agent", "--purge", "--root", root]);
    expect(purged.code, purged.output).toBe(0);
    expect(existsSync(config)).toBe(false);
    expect(existsSync(data)).toBe(false);
    expect(passwdEntry(root)).toBeUndefined();
  });

  it("installs the collector from a built repository checkout, with its env file", async () => {
    const other = stagingRoot();
    try {
      // No --from: the script packs the checkout it lives in.
      const { code, output } = await install(["install", "collector", "--root", other]);
      expect(code, output).toBe(0);
      const env = join(other, "etc/tidegate/collector.env");
      expect(readFileSync(env, "utf8")).toBe(
        readFileSync(join(repo, "systemd/collector.env.example"), "utf8"),
      );
      const bin = join(other, "usr/local/bin/tidegate-collector");
      expect((await run(bin, ["--version"])).output.trim()).toBe(version);
      const verify = await verifyUnits(
        [join(other, "etc/systemd/system/tidegate-collector.service")],
        join(other, "usr/local/bin"),
      );
      expect(verify.output).toBe("");
      const purged = await install(["uninstall", "collector", "--purge", "--root", other]);
      expect(purged.code, purged.output).toBe(0);
      expect(existsSync(join(other, "opt/tidegate"))).toBe(false);
      expect(existsSync(env)).toBe(false);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("stops with the NodeSource commands when Node is older than 20.19", async () => {
    const bin = join(work, "old-node");
    mkdirSync(bin);
    // A stand-in for Debian 12's own nodejs package, which is Node 18.
    writeFileSync(join(bin, "node"), "#!/bin/sh\necho v18.19.0\n");
    chmodSync(join(bin, "node"), 0o755);
    const other = stagingRoot();
    try {
      const { code, output } = await install(["install", "agent", "--from", tarball, "--root", other], {
        PATH: `${bin}:${process.env.PATH}`,
      });
      expect(code).toBe(1);
      expect(output).toContain("found node v18.19.0");
      expect(output).toContain("https://deb.nodesource.com/setup_20.x");
      expect(existsSync(join(other, "opt/tidegate"))).toBe(false);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
