import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateReleaseKeys, signRelease } from "@tidegate/node-kit";
import type { Heartbeat, Rollout } from "@tidegate/protocol";
import Database from "better-sqlite3";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiFetch } from "./helpers/auth.js";
import { launchChromium, screenshot } from "./helpers/browser.js";
import { fleetLedger } from "./helpers/fleet-ledger.js";
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
import { AGENT_ENV, collectorCli, type Restartable, startCollector } from "./helpers/tidegate.js";
import { addUserByCli, signInPage } from "./helpers/users.js";
import { getJson, waitFor } from "./helpers/wait.js";

// A staged rollout across three gateways installed by systemd/install.sh from the release tarball
// (one install, copied into three staging roots: install.sh's links are relative). The collector
// drives the rollout over a real nats-server; the fleet view in Chromium pauses, resumes and starts
// one. A canary goes first, the rest only after it stayed healthy for the soak; a gateway offline
// during its wave is upgraded when it is back; a build that cannot reach its meter is rolled back
// on the canary and the rollout halts before any other gateway gets it. There is no systemd here:
// each gateway's program is started again when it exits, as Restart=always would.
// (Unsigned and wrongly signed releases are refused in remote-upgrade.test.ts.)

const IDS = ["roll-1", "roll-2", "roll-3"] as const;
const GOOD = "9.9.1";
const BROKEN = "9.9.2";
const SOAK_S = 3;
const version = JSON.parse(readFileSync(join(repo, "agent/package.json"), "utf8")).version as string;
const work = mkdtempSync(join(tmpdir(), "tidegate-rollout-"));
const keys = generateReleaseKeys();

interface Gateway {
  id: string;
  root: string;
  port: number;
  proc?: RunningProcess;
  /** Started again when it exits, as systemd's Restart=always does; off while the test keeps it down. */
  supervised: boolean;
  /** What earlier runs printed (each upgrade and rollback is a restart). */
  earlier: string;
}

let mirror: PrebuildMirror;
let nats: NatsServer;
let meter: Awaited<ReturnType<typeof startMeter>>;
let collector: Restartable;
let browser: Browser;
let page: Page;
const gateways: Gateway[] = [];

const versionsOf = (g: Gateway) => join(g.root, "opt/tidegate/versions/agent");
const outputs = () =>
  gateways.map((g) => `${g.id}:\n${`${g.earlier}${g.proc?.output() ?? ""}`.slice(-2500)}`).join("\n");

function supervise(g: Gateway) {
  g.supervised = true;
  const proc = startProcess(
    join(g.root, "usr/local/bin/tidegate-agent"),
    ["--config", join(g.root, "etc/tidegate/agent.yaml"), "--port", String(g.port)],
    { env: AGENT_ENV },
  );
  g.proc = proc;
  proc.child.once("exit", (code) => {
    g.earlier = `${g.earlier}${proc.output()}\n[exited ${code}]\n`.slice(-6000);
    if (g.supervised && g.proc === proc) supervise(g);
  });
}

async function takeDown(g: Gateway) {
  g.supervised = false;
  await g.proc?.stop();
}

type Entry = {
  id: string;
  online: boolean;
  version?: string;
  backlog?: number;
  upgrade?: Heartbeat["upgrade"];
};
const fleet = async () => (await getJson<{ gateways: Entry[] }>(`${collector.url}/api/v1/gateways`)).gateways;

const rolloutOf = async (id: string) =>
  (await getJson<{ rollout: Rollout }>(`${collector.url}/api/v1/rollouts/${id}`)).rollout;

function rolloutUntil(id: string, what: string, until: (r: Rollout) => boolean, timeoutMs = 90_000) {
  let last: Rollout | undefined;
  return waitFor(
    () => `${what}\n${JSON.stringify(last, null, 1)}\n${outputs()}`,
    async () => {
      last = await rolloutOf(id);
      return until(last) ? last : undefined;
    },
    timeoutMs,
    250,
  );
}
const gw = (r: Rollout, id: string) => r.gateways.find((g) => g.id === id);

async function upload(tarball: string) {
  const form = new FormData();
  form.set("tarball", new Blob([readFileSync(tarball)]), "release.tar.gz");
  form.set("signature", signRelease(readFileSync(tarball), keys.privateKeyPem));
  const res = await apiFetch(`${collector.url}/api/v1/releases`, { method: "POST", body: form });
  expect(res.status, await res.clone().text()).toBe(201);
}

beforeAll(async () => {
  mirror = await startPrebuildMirror();
  nats = await startNatsServer();
  meter = await startMeter(11);
  // A short offline window, so the gateway kept down is seen offline soon.
  collector = await startCollector(nats.url, { env: { TIDEGATE_OFFLINE_AFTER_S: "3" } });
  const packed = await run("node", [join(repo, "scripts/pack-release.mjs"), "agent", "--out", work]);
  expect(packed.code, packed.output).toBe(0);
  const unpacked = join(work, `tidegate-agent-${version}`);
  const first = stagingRoot();
  const installed = await run(
    "bash",
    [installScript, "install", "agent", "--from", `${unpacked}.tar.gz`, "--root", first, "--no-systemctl"],
    { npm_config_better_sqlite3_binary_host: mirror.host, npm_config_prefer_offline: "true" },
  );
  expect(installed.code, installed.output).toBe(0);
  for (const [i, id] of IDS.entries()) {
    const root = i === 0 ? first : stagingRoot();
    if (i > 0) {
      rmSync(root, { recursive: true, force: true });
      execFileSync("cp", ["-a", first, root]);
    }
    writeFileSync(join(root, "etc/tidegate/release.pub"), keys.publicKeyPem);
    const config = meterAgentConfig({
      gateway: id,
      natsUrl: nats.url,
      meterPort: meter.port,
      points: ["voltage"],
    });
    writeFileSync(
      join(root, "etc/tidegate/agent.yaml"),
      `${config.replace(
        "buffer: { path: buffer.db,",
        `buffer: { path: ${root}/var/lib/tidegate/buffer.db,`,
      )}upgrade: { publicKey: release.pub, healthyWithinS: 10 }\n`,
    );
    gateways.push({ id, root, port: await freePort(), supervised: true, earlier: "" });
  }
  for (const g of gateways) supervise(g);

  await upload(await releaseAs(unpacked, GOOD, work));
  // The broken build: its Modbus TCP client dials port 1, so no meter answers it.
  await upload(
    await releaseAs(unpacked, BROKEN, work, (dir) => {
      const cli = join(dir, "dist/cli.js");
      const code = readFileSync(cli, "utf8");
      const broken = code.replace("openSocket(t.host, t.port)", "openSocket(t.host, 1)");
      expect(broken).not.toBe(code);
      writeFileSync(cli, broken);
    }),
  );
  await waitFor(
    () => `all three gateways online\n${outputs()}`,
    async () => (await fleet()).filter((g) => g.online && g.version === version).length === 3,
    90_000,
  );
  await addUserByCli({
    cli: collectorCli,
    where: ["--data-dir", collector.dir],
    dir: work,
    name: "ada",
    role: "admin",
    password: "admin password",
  });
  browser = await launchChromium();
  page = await signInPage(browser, collector.url, "ada", "admin password", { width: 1280, height: 1000 });
  await page.getByTestId("rollouts-panel").waitFor({ timeout: 15_000 });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  for (const g of gateways) await takeDown(g);
  await collector?.stop();
  await meter?.close();
  await nats?.dispose();
  await mirror?.close();
  rmSync(work, { recursive: true, force: true });
  for (const g of gateways) rmSync(g.root, { recursive: true, force: true });
}, 120_000);

describe("staged rollout", () => {
  it("upgrades the canary first and the rest after its soak; an offline gateway gets it when it returns", async () => {
    const [one, two, three] = gateways as [Gateway, Gateway, Gateway];
    await takeDown(three);
    await waitFor(
      "roll-3 seen offline",
      async () => (await fleet()).some((g) => g.id === "roll-3" && !g.online),
      30_000,
    );

    const res = await apiFetch(`${collector.url}/api/v1/rollouts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ version: GOOD, target: { gateways: [...IDS] }, canary: 1, soakS: SOAK_S }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const started = ((await res.json()) as { rollout: Rollout }).rollout;
    expect(started.gateways.map((g) => [g.id, g.wave, g.state])).toEqual([
      ["roll-1", 0, "downloading"],
      ["roll-2", 1, "pending"],
      ["roll-3", 1, "pending"],
    ]);

    // Paused from the fleet view: the canary carries on, the next wave waits.
    const panel = page.getByTestId("rollouts-panel");
    await panel.locator(`[data-testid="rollout"][data-id="${started.id}"]`).waitFor({ timeout: 15_000 });
    await panel.getByRole("button", { name: "Pause" }).click();
    await rolloutUntil(started.id, "paused", (r) => r.state === "paused", 15_000);
    const soaked = await rolloutUntil(
      started.id,
      "the canary healthy on the new version, past its soak",
      (r) => {
        const since = gw(r, "roll-1")?.healthySince;
        return since !== undefined && Date.now() - since > r.soakMs + 3 * 2000;
      },
    );
    expect(soaked.wavesStarted).toBe(1);
    expect(gw(soaked, "roll-2")).toMatchObject({ state: "pending" });
    expect(gw(soaked, "roll-2")?.sentAt).toBeUndefined();
    await panel
      .locator('[data-testid="rollout-gateways"] tr[data-gateway="roll-1"][data-state="healthy"]')
      .waitFor();
    await screenshot(page, "rollout-paused-after-canary");

    await panel.getByRole("button", { name: "Resume" }).click();
    const waiting = await rolloutUntil(
      started.id,
      "roll-2 upgraded while roll-3 is away",
      (r) => gw(r, "roll-2")?.state === "healthy",
    );
    const canary = gw(waiting, "roll-1");
    expect(gw(waiting, "roll-2")?.sentAt).toBeGreaterThan((canary?.healthySince ?? 0) + waiting.soakMs);
    expect(gw(waiting, "roll-3")).toMatchObject({
      state: "pending",
      note: expect.stringMatching(/^offline/),
    });
    expect(waiting.state).toBe("running");
    await panel.locator('tr[data-gateway="roll-3"][data-state="pending"]').waitFor();
    await screenshot(page, "rollout-waiting-for-offline-gateway");

    supervise(three); // back online, on the old version
    const done = await rolloutUntil(
      started.id,
      "roll-3 upgraded on its return, the rollout done",
      (r) => r.state === "done",
    );
    expect(done.gateways.map((g) => g.state)).toEqual(["healthy", "healthy", "healthy"]);
    for (const g of [one, two, three]) {
      expect(readlinkSync(join(versionsOf(g), "current"))).toBe(GOOD);
      expect(readlinkSync(join(versionsOf(g), "previous"))).toBe(version);
    }
    await panel.locator(`[data-testid="rollout"][data-state="done"]`).waitFor({ timeout: 10_000 });
    await screenshot(page, "rollout-done");
  }, 240_000);

  it("rolls a broken build back on the canary and halts before any other gateway gets it", async () => {
    const form = page.getByTestId("rollout-form");
    await form.locator('select[name="version"]').selectOption(BROKEN);
    await form.locator('select[name="kind"]').selectOption("percent");
    await form.locator('input[name="target"]').fill("100");
    await form.locator('input[name="canary"]').fill("1");
    await form.locator('input[name="soakS"]').fill(String(SOAK_S));
    await form.getByRole("button", { name: "Start rollout" }).click();
    const panel = page.getByTestId("rollouts-panel");
    const shown = panel.locator('[data-testid="rollout"][data-state="running"]');
    await shown.waitFor({ timeout: 15_000 });
    const id = (await shown.getAttribute("data-id")) as string;

    const halted = await rolloutUntil(
      id,
      "the canary rolled back, the rollout halted",
      (r) => r.state === "halted",
      120_000,
    );
    expect(halted.reason).toMatch(
      /^roll-1 rolled back: not healthy within 10 s of the restart .*back to 9\.9\.1$/,
    );
    expect(gw(halted, "roll-1")?.state).toBe("rolled-back");
    for (const other of ["roll-2", "roll-3"]) {
      expect(gw(halted, other)?.state).toBe("pending");
      expect(gw(halted, other)?.sentAt).toBeUndefined();
    }
    for (const g of gateways) expect(readlinkSync(join(versionsOf(g), "current"))).toBe(GOOD);
    // The canary's switch to the broken build pruned the version before 9.9.1; the others keep it.
    expect(readdirSync(versionsOf(gateways[0] as Gateway)).sort()).toEqual([GOOD, BROKEN, "current"]);
    expect(readdirSync(versionsOf(gateways[1] as Gateway)).sort()).toEqual([
      version,
      GOOD,
      "current",
      "previous",
    ]);
    // The previous version runs again and says so (heartbeats carry the release's built-in version).
    await waitFor(
      "roll-1 back online, reporting the rollback",
      async () =>
        (await fleet()).some(
          (g) =>
            g.id === "roll-1" &&
            g.online &&
            g.upgrade?.state === "rolled-back" &&
            g.upgrade.version === BROKEN,
        ),
      30_000,
    );
    await panel
      .locator(
        '[data-testid="rollout"][data-state="halted"] tr[data-gateway="roll-1"][data-state="rolled-back"]',
      )
      .waitFor();
    await screenshot(page, "rollout-halted-broken-build");
  }, 180_000);

  it("loses and duplicates no reading across the upgrades and the rollback", async () => {
    // What each gateway has had acknowledged by JetStream must all be stored, once.
    const acked = await waitFor(
      "every gateway drained its buffer",
      async () => {
        const all = await fleet();
        return all.every((g) => g.online && g.backlog === 0) && all;
      },
      60_000,
    );
    expect(acked.map((g) => g.id).sort()).toEqual([...IDS]);
    const dbPath = join(collector.dir, "collector.db");
    // Each gateway's latest heartbeat, as the collector keeps it: every seq up to ackedSeq was acknowledged.
    const db = new Database(dbPath, { readonly: true });
    const rows = db.prepare("SELECT id, heartbeat FROM gateways").all() as {
      id: string;
      heartbeat: string;
    }[];
    db.close();
    const committed = new Map(rows.map((r) => [r.id, (JSON.parse(r.heartbeat) as Heartbeat).ackedSeq]));
    const ledger = await waitFor(
      () =>
        `the collector stored every acknowledged reading: ${JSON.stringify(fleetLedger(dbPath, committed))}`,
      () => {
        const l = fleetLedger(dbPath, committed);
        return l.lost === 0 && l;
      },
      30_000,
    );
    expect(ledger.committed).toBeGreaterThan(0);
    expect(ledger, ledger.off.join("\n")).toMatchObject({ gateways: 3, lost: 0, duplicated: 0 });
  }, 120_000);
});
