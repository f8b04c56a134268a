import { afterEach, expect } from "vitest";
import { getJson } from "../../e2e/helpers/wait.js";
import { storeLedger } from "./count.js";
import type { Load } from "./load.js";
import type { Rig, RigOptions } from "./rig.js";
import { startRig } from "./rig.js";
import { type Settled, settle } from "./settle.js";
import { republishedReadings } from "./stream.js";
import { expectNothingLostOrDuplicated, type Tally, tallyOf } from "./tally.js";

/**
 * Starts a rig for one test and disposes of it after the test, passed or failed, so no process
 * or temp dir outlives a scenario.
 */
export function useRig(): (o: RigOptions) => Promise<Rig> {
  let current: Rig | undefined;
  afterEach(async () => {
    await current?.dispose();
    current = undefined;
  });
  return async (o) => {
    current = await startRig(o);
    return current;
  };
}

/**
 * The common ending: stop producing, wait for the backlog to drain into the collector, print the
 * scenario line and assert nothing was lost or duplicated. `notes` adds reason entries computed
 * from the settled state (e.g. readings a crash took before they were committed).
 */
export async function finishScenario(
  rig: Rig,
  name: string,
  o: {
    timeoutMs: number;
    notes?: (s: Settled) => string[];
    absorbed?: string[];
    /** Synthetic traffic of a second gateway, held to the same goal. */
    load?: Load;
  },
): Promise<Tally> {
  await rig.stopProducing();
  const s = await settle({
    agentUrl: rig.agent.url,
    dbPath: rig.dbPath,
    gateway: rig.gateway,
    timeoutMs: o.timeoutMs,
    others: o.load ? [{ gateway: o.load.gateway, committed: o.load.published() }] : [],
    context: rig.context,
  });
  const absorbed = [...(o.absorbed ?? [])];
  let load: Tally | undefined;
  if (o.load) {
    const ledger = { committed: o.load.published(), acked: 0, backlog: 0, dropped: {}, droppedRanges: [] };
    load = tallyOf(o.load.gateway, ledger, storeLedger(rig.dbPath, o.load.gateway, ledger.committed));
    absorbed.push(
      `load gateway ${load.name}: published=${load.produced} stored=${load.stored} lost=${load.lost} duplicated=${load.duplicated}`,
    );
  }
  const republished = await republishedReadings(rig.cluster?.urls ?? rig.nats.url, rig.gateway);
  const tally = tallyOf(name, s.agent, s.store, {
    notes: o.notes?.(s) ?? [],
    absorbed: [`readings in the stream twice=${republished}`, ...absorbed],
  });
  const context = () =>
    `${s.complete ? `drained in ${s.waitedMs} ms` : `NOT drained after ${s.waitedMs} ms`}; agent: ${JSON.stringify(s.agent)}\n${rig.context()}`;
  expectNothingLostOrDuplicated(tally, context);
  await expectCollectorApiAgrees(rig, s, context);
  if (load) expectNothingLostOrDuplicated(load, context, { print: false });
  return tally;
}

/**
 * The collector's own books (`seq` on GET /api/v1/gateways, being added alongside this suite)
 * must agree with its SQLite file once they exist; until then there is nothing to compare.
 */
async function expectCollectorApiAgrees(rig: Rig, s: Settled, context: () => string) {
  const live = rig.collectors.find((c) => c.alive());
  if (!live) return;
  const body = await getJson<{ gateways: { id: string; seq?: { max: number; stored: number } }[] }>(
    `${live.url}/api/v1/gateways`,
  );
  const seq = body.gateways.find((g) => g.id === rig.gateway)?.seq;
  if (!seq) return;
  expect(
    { stored: seq.stored, max: seq.max },
    `collector API /api/v1/gateways seq disagrees with collector.db\n${context()}`,
  ).toEqual({ stored: s.store.stored, max: s.store.max });
}
