import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { upgradeBackupPath } from "@tidegate/node-kit";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { bufferSchema } from "../../agent/src/buffer/schema.js";
import { storeSchema } from "../../collector/src/store/schema.js";
import { deferredCleanup } from "./helpers/cleanup.js";
import { fixtureTs, fixtureVoltage, writeOldBuffer, writeOldStore } from "./helpers/fixtures.js";
import { type NatsServer, startNatsServer } from "./helpers/nats.js";
import { freePort } from "./helpers/ports.js";
import { startProcess } from "./helpers/process.js";
import { meterAgentConfig, startMeter } from "./helpers/system.js";
import {
  agentArgs,
  collectorArgs,
  type Restartable,
  startAgent,
  startCollector,
} from "./helpers/tidegate.js";
import { getJson, waitFor } from "./helpers/wait.js";

// Gateways are upgraded while they hold unsent readings, collectors while they hold history.
// Old files are built from the previous releases' migration lists; the new build must deliver
// every unsent reading exactly once and keep every stored reading queryable.

const GATEWAY = "upgrade-plant";
const STORED = 400; // acknowledged before the upgrade, in the collector's history
const LAST = 1000; // committed before the upgrade; STORED+1 … LAST wait in the buffer
const start = Date.now() - 2 * 3600_000; // fixture readings are from two hours ago

const defer = deferredCleanup();

async function rig() {
  const nats: NatsServer = await startNatsServer();
  const meter = await startMeter(9);
  const agentDir = mkdtempSync(join(tmpdir(), "tidegate-upgrade-agent-"));
  const collectorDir = mkdtempSync(join(tmpdir(), "tidegate-upgrade-collector-"));
  defer(async () => {
    await meter.close().catch(() => {});
    await nats.dispose();
    rmSync(agentDir, { recursive: true, force: true });
    rmSync(collectorDir, { recursive: true, force: true });
  });
  const configYaml = meterAgentConfig({
    gateway: GATEWAY,
    natsUrl: nats.url,
    meterPort: meter.port,
    points: ["voltage"],
  });
  return {
    nats,
    agentDir,
    collectorDir,
    bufferFile: join(agentDir, "buffer.db"),
    storeFile: join(collectorDir, "collector.db"),
    configYaml,
    async startCollector(): Promise<Restartable> {
      const c = await startCollector(nats.url, { dir: collectorDir });
      defer(() => c.stop());
      return c;
    },
    async startAgent(): Promise<Restartable> {
      const a = await startAgent(configYaml, { dir: agentDir });
      defer(() => a.stop());
      return a;
    },
  };
}

const schemaVersion = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma("user_version", { simple: true }) as number;
  } finally {
    db.close();
  }
};

/** Every reading from before the upgrade is at the collector exactly once, and new ones follow. */
async function expectEverythingDelivered(collectorUrl: string) {
  const gateways = async () =>
    (
      await getJson<{
        gateways: { id: string; seq: { max: number; stored: number; missing: number; dropped: number } }[];
      }>(`${collectorUrl}/api/v1/gateways`)
    ).gateways.find((g) => g.id === GATEWAY);
  const gw = await waitFor(
    "the buffered readings and new ones at the collector",
    async () => {
      const g = await gateways();
      return g && g.seq.max > LAST + 20 && g.seq.missing === 0 ? g : undefined;
    },
    30_000,
  );
  // Epoch 0 continues across the upgrade: the old history and the buffered readings are one run of seqs.
  expect(gw.seq.stored).toBe(gw.seq.max);
  expect(gw.seq.dropped).toBe(0);

  const old = await getJson<{ ts: number[]; values: (number | null)[] }>(
    `${collectorUrl}/api/v1/series?gateway=${GATEWAY}&device=meter-1&point=voltage&from=${fixtureTs(1, start)}&to=${fixtureTs(LAST, start)}`,
  );
  const expectedTs = Array.from({ length: LAST }, (_, i) => fixtureTs(i + 1, start));
  expect(old.ts).toEqual(expectedTs); // each once, history and buffer alike
  expect(old.values).toEqual(expectedTs.map((_, i) => fixtureVoltage(i + 1)));
}

describe("upgrading a gateway and a collector", () => {
  it("migrates files of the previous schema versions and delivers every unsent reading exactly once", async () => {
    const r = await rig();
    const bufferVersion = bufferSchema.migrations.length - 1;
    const storeVersion = storeSchema.migrations.length - 1;
    writeOldBuffer(r.bufferFile, bufferVersion, { lastSeq: LAST, ackedSeq: STORED, start });
    writeOldStore(r.storeFile, storeVersion, { gateway: GATEWAY, storedSeq: STORED, start });

    const collector = await r.startCollector();
    const agent = await r.startAgent();
    expect(collector.output()).toMatch(
      new RegExp(`upgrading the collector store from schema version ${storeVersion} to ${storeVersion + 1}`),
    );
    expect(agent.output()).toMatch(
      new RegExp(`upgrading the agent buffer from schema version ${bufferVersion} to ${bufferVersion + 1}`),
    );
    expect(schemaVersion(r.storeFile)).toBe(storeSchema.migrations.length);
    expect(schemaVersion(r.bufferFile)).toBe(bufferSchema.migrations.length);
    // The copy taken before rewriting tables is removed once the upgrade has committed.
    expect(existsSync(upgradeBackupPath(r.storeFile))).toBe(false);

    await expectEverythingDelivered(collector.url);
  });

  it("recovers from a process killed between two migration steps, losing nothing", async () => {
    const r = await rig();
    writeOldBuffer(r.bufferFile, 1, { lastSeq: LAST, ackedSeq: STORED, start });
    writeOldStore(r.storeFile, 1, { gateway: GATEWAY, storedSeq: STORED, start });
    // Each process holds still after its first step; it is killed there, as a power cut would.
    const pause = { migrationPauseMs: 60_000 };
    const configFile = join(r.agentDir, "agent.yaml");
    writeFileSync(configFile, r.configYaml);
    for (const args of [
      collectorArgs(r.nats.url, await freePort(), r.collectorDir, pause),
      agentArgs(configFile, await freePort(), pause),
    ]) {
      const proc = startProcess("node", args);
      await waitFor(
        () => `a migration step to commit\n${proc.output()}`,
        () => /paused for \d+ ms after schema version 2/.test(proc.output()),
        20_000,
      );
      await proc.stop("SIGKILL");
    }
    expect(schemaVersion(r.storeFile)).toBe(2);
    expect(schemaVersion(r.bufferFile)).toBe(2);

    const collector = await r.startCollector();
    await r.startAgent();
    expect(collector.output()).toMatch(/keeping the copy .* left by an interrupted upgrade/);
    expect(schemaVersion(r.storeFile)).toBe(storeSchema.migrations.length);
    expect(existsSync(upgradeBackupPath(r.storeFile))).toBe(false);
    await expectEverythingDelivered(collector.url);
  });

  it("refuses files written by a newer version, with a clear message, and leaves them untouched", async () => {
    const r = await rig();
    for (const file of [r.bufferFile, r.storeFile]) {
      const db = new Database(file);
      db.pragma("user_version = 99");
      db.close();
    }
    const configFile = join(r.agentDir, "agent.yaml");
    writeFileSync(configFile, r.configYaml);
    for (const [args, name] of [
      [collectorArgs(r.nats.url, await freePort(), r.collectorDir), "collector store"],
      [agentArgs(configFile, await freePort()), "agent buffer"],
    ] as const) {
      const proc = startProcess("node", [...args]);
      const code = await new Promise((resolve) => proc.child.once("exit", resolve));
      expect(code).toBe(2);
      expect(proc.output()).toMatch(
        new RegExp(
          `this ${name} has schema version 99, written by a newer Tidegate; this build knows versions up to \\d+`,
        ),
      );
    }
    expect(schemaVersion(r.bufferFile)).toBe(99);
    expect(schemaVersion(r.storeFile)).toBe(99);
  });
});
