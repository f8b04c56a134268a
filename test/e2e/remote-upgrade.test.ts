import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Objm } from "@nats-io/obj";
import { connect } from "@nats-io/transport-node";
import { generateReleaseKeys, sha256Hex, signRelease } from "@tidegate/node-kit";
import { type Heartbeat, RELEASES_BUCKET, releaseObjectMetadata } from "@tidegate/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiFetch } from "./helpers/auth.js";
import {
  installScript,
  type PrebuildMirror,
  releaseAs,
  repo,
  run,
  stagingRoot,
  startPrebuildMirror,
} from "./helpers/install.js";
import { type NatsServer, startNatsServer } from "./helpers/nats.js";
import { freePort } from "./helpers/ports.js";
import { type RunningProcess, startProcess } from "./helpers/process.js";
import { meterAgentConfig, startMeter } from "./helpers/system.js";
import { AGENT_ENV, type Restartable, startCollector } from "./helpers/tidegate.js";
import { getJson, waitFor } from "./helpers/wait.js";

// A gateway installed by systemd/install.sh into a staging root (as install.test.ts does) is
// upgraded remotely: releases are uploaded to the collector, which keeps them in a JetStream
// Object Store on a real nats-server; agent.upgrade makes the gateway fetch, verify, unpack beside
// the running version and switch the `current` link, then exit for systemd to start it again.
// A new version that is not healthy after its restart (here: its meter went away) links the
// previous one back. There is no systemd here: the test starts the program again through the same
// link, as Restart=always would.

const GATEWAY = "upgrade-remote";
const version = JSON.parse(readFileSync(join(repo, "agent/package.json"), "utf8")).version as string;
const work = mkdtempSync(join(tmpdir(), "tidegate-remote-upgrade-"));
const root = stagingRoot();
const versions = join(root, "opt/tidegate/versions/agent");
const program = join(root, "usr/local/bin/tidegate-agent");
const configFile = join(root, "etc/tidegate/agent.yaml");
const keys = generateReleaseKeys();
const stranger = generateReleaseKeys();

let mirror: PrebuildMirror;
let nats: NatsServer;
let meter: Awaited<ReturnType<typeof startMeter>>;
let collector: Restartable;
let agent: RunningProcess | undefined;
let unpacked = "";
let agentPort = 0;

const startInstalledAgent = () => {
  agent = startProcess(program, ["--config", configFile, "--port", String(agentPort)], { env: AGENT_ENV });
  return agent;
};

beforeAll(async () => {
  mirror = await startPrebuildMirror();
  nats = await startNatsServer();
  meter = await startMeter(5);
  collector = await startCollector(nats.url);
  const packed = await run("node", [join(repo, "scripts/pack-release.mjs"), "agent", "--out", work]);
  expect(packed.code, packed.output).toBe(0);
  unpacked = join(work, `tidegate-agent-${version}`);
  const installed = await run(
    "bash",
    [installScript, "install", "agent", "--from", `${unpacked}.tar.gz`, "--root", root, "--no-systemctl"],
    { npm_config_better_sqlite3_binary_host: mirror.host, npm_config_prefer_offline: "true" },
  );
  expect(installed.code, installed.output).toBe(0);
  writeFileSync(join(root, "etc/tidegate/release.pub"), keys.publicKeyPem);
  const dataDir = join(root, "var/lib/tidegate");
  writeFileSync(
    configFile,
    `${meterAgentConfig({
      gateway: GATEWAY,
      natsUrl: nats.url,
      meterPort: meter.port,
      points: ["voltage"],
    }).replace(
      "buffer: { path: buffer.db,",
      `buffer: { path: ${dataDir}/buffer.db,`,
    )}upgrade: { publicKey: release.pub, healthyWithinS: 10 }\n`,
  );
  agentPort = await freePort();
  startInstalledAgent();
  await gateway(() => true, "the installed agent's first heartbeat");
}, 240_000);

afterAll(async () => {
  await agent?.stop();
  await collector?.stop();
  await meter?.close().catch(() => {}); // the rollback test closed it already
  await nats?.dispose();
  await mirror?.close();
  rmSync(work, { recursive: true, force: true });
  rmSync(root, { recursive: true, force: true });
});

type Entry = { id: string; upgrade?: Heartbeat["upgrade"]; version?: string };
function gateway(until: (g: Entry | undefined) => boolean, what: string): Promise<Entry> {
  return waitFor(
    () => `${what}\n${agent?.output() ?? ""}`,
    async () => {
      const { gateways } = await getJson<{ gateways: Entry[] }>(`${collector.url}/api/v1/gateways`);
      const g = gateways.find((x) => x.id === GATEWAY);
      return g && until(g) ? g : undefined;
    },
    60_000,
  );
}

async function upload(tarball: string, signature?: string) {
  const form = new FormData();
  form.set("tarball", new Blob([readFileSync(tarball)]), "release.tar.gz");
  if (signature !== undefined) form.set("signature", signature);
  return apiFetch(`${collector.url}/api/v1/releases`, { method: "POST", body: form });
}

const command = (v: string) =>
  apiFetch(`${collector.url}/api/v1/gateways/${GATEWAY}/commands/agent.upgrade`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ version: v }),
  });

const ended = (v: string) => (g: Entry | undefined) =>
  g?.upgrade?.version === v && ["refused", "failed", "healthy", "rolled-back"].includes(g.upgrade.state);

describe("remote upgrade of an installed gateway", () => {
  it("refuses a release signed by another key, keeping the running version", async () => {
    const tarball = await releaseAs(unpacked, "9.9.8", work);
    const stored = await upload(tarball, signRelease(readFileSync(tarball), stranger.privateKeyPem));
    // This collector was not given the fleet's key, so only the gateway can tell.
    expect(stored.status, await stored.clone().text()).toBe(201);
    const res = await command("9.9.8");
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await res.json()).result).toMatchObject({
      state: "downloading",
      version: "9.9.8",
      from: version,
    });
    const g = await gateway(ended("9.9.8"), "the gateway to refuse 9.9.8");
    expect(g?.upgrade).toMatchObject({ state: "refused", from: version });
    expect(g?.upgrade?.error).toMatch(/not signed by upgrade\.publicKey .*release\.pub/);
    expect(existsSync(join(versions, "9.9.8"))).toBe(false);
    expect(readlinkSync(join(versions, "current"))).toBe(version);
  });

  it("refuses an unsigned release put in the bucket behind the collector's back", async () => {
    const tarball = readFileSync(await releaseAs(unpacked, "9.9.7", work));
    const nc = await connect({ servers: nats.url });
    try {
      const os = await new Objm(nc).open(RELEASES_BUCKET);
      const manifest = {
        app: "agent" as const,
        version: "9.9.7",
        sha256: sha256Hex(tarball),
        size: tarball.length,
        signature: "",
        uploadedAt: Date.now(),
      };
      await os.putBlob({ name: "9.9.7", metadata: releaseObjectMetadata(manifest) }, tarball);
    } finally {
      await nc.close();
    }
    expect((await command("9.9.7")).status).toBe(200);
    const g = await gateway(ended("9.9.7"), "the gateway to refuse 9.9.7");
    expect(g?.upgrade).toMatchObject({ state: "refused", error: "the release has no signature" });
    // An unsigned upload to the collector is refused at once.
    const unsigned = await upload(await releaseAs(unpacked, "9.9.6", work));
    expect(unsigned.status).toBe(400);
    expect((await unsigned.json()).error).toMatch(/^signature: the release has no signature/);
  });

  it("upgrades to a signed release: verified, unpacked beside the old one, switched, restarted, healthy", async () => {
    const tarball = await releaseAs(unpacked, "9.9.9", work);
    const bytes = readFileSync(tarball);
    const stored = await upload(tarball, signRelease(bytes, keys.privateKeyPem));
    expect(stored.status).toBe(201);
    const { releases } = await getJson<{ releases: { version: string; sha256: string }[] }>(
      `${collector.url}/api/v1/releases`,
    );
    expect(releases.map((r) => r.version).sort()).toEqual(["9.9.7", "9.9.8", "9.9.9"]);
    expect(releases.find((r) => r.version === "9.9.9")?.sha256).toBe(sha256Hex(bytes));

    const running = agent as RunningProcess;
    expect((await command("9.9.9")).status).toBe(200);
    // The agent stops cleanly once it has switched, for systemd to start the new version.
    const code = await waitFor(
      () => `the agent to switch and exit\n${running.output()}`,
      () => running.child.exitCode ?? undefined,
      60_000,
      250,
    );
    expect(code, running.output()).toBe(0);
    expect(running.output()).toMatch(/upgrade to 9\.9\.9: .*current switched; restarting/);
    // The same lockfile and Node: the dependencies come from the running version, not the registry.
    expect(running.output()).toContain(`dependencies unchanged, copying node_modules from ${version}`);
    expect(readlinkSync(join(versions, "current"))).toBe("9.9.9");
    expect(readlinkSync(join(versions, "previous"))).toBe(version);
    expect(existsSync(join(versions, version, "dist/cli.js"))).toBe(true);
    expect(existsSync(join(versions, "9.9.9/node_modules/better-sqlite3"))).toBe(true);
    expect(realpathSync(program)).toBe(join(versions, "9.9.9/dist/cli.js"));

    startInstalledAgent(); // what Restart=always does
    const g = await gateway(ended("9.9.9"), "the restarted gateway to report healthy");
    expect(g?.upgrade).toMatchObject({ state: "healthy", version: "9.9.9", from: version });
  });

  it("goes back to the previous version when the new one is not healthy after its restart", async () => {
    const tarball = await releaseAs(unpacked, "9.9.10", work);
    expect((await upload(tarball, signRelease(readFileSync(tarball), keys.privateKeyPem))).status).toBe(201);
    const running = agent as RunningProcess;
    expect((await command("9.9.10")).status).toBe(200);
    const code = await waitFor(
      () => `the agent to switch to 9.9.10 and exit\n${running.output()}`,
      () => running.child.exitCode ?? undefined,
      60_000,
      250,
    );
    expect(code, running.output()).toBe(0);
    expect(readlinkSync(join(versions, "current"))).toBe("9.9.10");
    // The meter goes away with the restart: the new version's device fails, so it is not healthy.
    await meter.close();
    const upgraded = startInstalledAgent();
    const rolledBackCode = await waitFor(
      () => `the unhealthy 9.9.10 to roll back and exit\n${upgraded.output()}`,
      () => upgraded.child.exitCode ?? undefined,
      60_000,
      250,
    );
    expect(rolledBackCode, upgraded.output()).toBe(0);
    expect(readlinkSync(join(versions, "current"))).toBe("9.9.9");
    startInstalledAgent(); // systemd starts the previous version again
    const g = await gateway(ended("9.9.10"), "the gateway to report the rollback");
    expect(g.upgrade).toMatchObject({
      state: "rolled-back",
      from: "9.9.9",
      error: "not healthy within 10 s of the restart (uplink down or a device failing); back to 9.9.9",
    });
    expect(realpathSync(program)).toBe(join(versions, "9.9.9/dist/cli.js"));
  });
});
