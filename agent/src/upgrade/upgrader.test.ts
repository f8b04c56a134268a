import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateReleaseKeys } from "@tidegate/node-kit";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createUpgrader, type UpgraderOptions } from "./upgrader.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function upgrader(o: Partial<UpgraderOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "tidegate-upgrader-"));
  dirs.push(dir);
  const restarts: number[] = [];
  const u = createUpgrader({
    config: {},
    configFile: join(dir, "agent.yaml"),
    stateDir: dir,
    programFile: join(dir, "checkout/agent/dist/cli.js"),
    runningVersion: "1.0.0",
    connection: () => undefined,
    healthy: () => true,
    restart: () => void restarts.push(1),
    log: pino({ level: "silent" }),
    now: () => 42,
    ...o,
  });
  return { u, dir, restarts };
}

describe("agent.upgrade's refusals before anything is fetched", () => {
  it("refuses without a public key, saying what to provision, and reports it in the status", () => {
    const { u, dir } = upgrader();
    expect(() => u.start({ version: "2.0.0" })).toThrow(
      /no upgrade\.publicKey: provision the fleet's release public key/,
    );
    expect(u.status()).toMatchObject({ state: "refused", version: "2.0.0", from: "1.0.0", at: 42 });
    // Kept across a restart, so the fleet view still shows why.
    expect(JSON.parse(readFileSync(join(dir, "upgrade-state.json"), "utf8")).state).toBe("refused");
  });

  it("refuses a key file that cannot be read, and an agent outside install.sh's versions layout", () => {
    const missing = upgrader({ config: { publicKey: "/nonexistent/release.pub" } });
    expect(() => missing.u.start({ version: "2.0.0" })).toThrow(
      /cannot read \/nonexistent\/release\.pub \(ENOENT\)/,
    );
    const keyFile = join(missing.dir, "release.pub");
    writeFileSync(keyFile, generateReleaseKeys().publicKeyPem);
    const outside = upgrader({ config: { publicKey: keyFile } });
    expect(() => outside.u.start({ version: "2.0.0" })).toThrow(
      /install the agent with it, or set upgrade\.versionsDir/,
    );
    expect(outside.u.status()?.state).toBe("refused");
    expect(outside.restarts).toEqual([]);
  });

  it("reads a restart's state back and reports healthy once the gateway is", () => {
    const { dir } = upgrader();
    writeFileSync(
      join(dir, "upgrade-state.json"),
      JSON.stringify({ state: "restarting", version: "1.0.0", from: "0.9.0", at: 1 }),
    );
    let healthy = false;
    const after = upgrader({ stateDir: dir, healthy: () => healthy });
    expect(after.u.status()?.state).toBe("restarting");
    healthy = true;
    expect(after.u.status()).toEqual({ state: "healthy", version: "1.0.0", from: "0.9.0", at: 42 });
  });

  it("goes back to the previous version when the new one is not healthy in time after the restart", () => {
    const root = mkdtempSync(join(tmpdir(), "tidegate-rollback-"));
    dirs.push(root);
    const versions = join(root, "versions/agent");
    for (const v of ["1.0.0", "2.0.0"]) {
      mkdirSync(join(versions, v, "dist"), { recursive: true });
      writeFileSync(join(versions, v, "dist/cli.js"), "");
    }
    symlinkSync("2.0.0", join(versions, "current"));
    symlinkSync("1.0.0", join(versions, "previous"));
    writeFileSync(
      join(root, "upgrade-state.json"),
      JSON.stringify({ state: "restarting", version: "2.0.0", from: "1.0.0", at: 0 }),
    );
    let clock = 60_000;
    const { u, restarts } = upgrader({
      stateDir: root,
      programFile: join(versions, "current/dist/cli.js"),
      config: { healthyWithinS: 120 },
      healthy: () => false,
      now: () => clock,
    });
    expect(u.status()?.state).toBe("restarting"); // still within its two minutes
    expect(restarts).toEqual([]);
    clock = 121_000;
    expect(u.status()).toMatchObject({
      state: "rolled-back",
      version: "2.0.0",
      error: "not healthy within 120 s of the restart (uplink down or a device failing); back to 1.0.0",
    });
    expect(readlinkSync(join(versions, "current"))).toBe("1.0.0");
    expect(restarts).toEqual([1]); // systemd starts the previous version
  });
});
