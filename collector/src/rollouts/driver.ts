import { randomUUID } from "node:crypto";
import type { Rollout, RolloutRequest } from "@tidegate/protocol";
import type { SendCommand } from "../remote/commands.js";
import type { GatewayRow } from "../store/types.js";
import { afterSend, controlRollout, type GatewaySeen, type RolloutControl, stepRollout } from "./machine.js";
import { planRollout } from "./plan.js";

export interface RolloutRows {
  saveRollout(r: Rollout): void;
  rollout(id: string): Rollout | undefined;
  rollouts(limit?: number): Rollout[];
  activeRollouts(): Rollout[];
  gateways(): GatewayRow[];
}

export interface RolloutDriverOptions {
  store: RolloutRows;
  send: SendCommand;
  /** Gateway id -> site, for site targets. */
  sites?: Record<string, string>;
  /** A gateway not heard from for this long is offline (the fleet view's window). */
  offlineAfterMs: number;
  /** A gateway not healthy on the new version this long after it was sent the upgrade fails; default 15 min. */
  upgradeTimeoutMs?: number;
  /** How often rollouts are stepped; default 2 s. */
  tickMs?: number;
  now?: () => number;
  log?: { info(msg: string): void; warn(msg: string): void };
}

export type DriverAnswer =
  | { ok: true; rollout: Rollout }
  | { ok: false; status: 400 | 404 | 409; error: string };

/**
 * Carries rollouts out: a timer steps every running one against the registry's latest heartbeats
 * (machine.ts) and sends agent.upgrade to the gateways whose turn it is. Every change is written
 * to SQLite before the next step, so a restarted collector picks up where it was.
 */
export function createRolloutDriver(o: RolloutDriverOptions) {
  const now = o.now ?? Date.now;
  const tickMs = o.tickMs ?? 2000;
  const upgradeTimeoutMs = o.upgradeTimeoutMs ?? 15 * 60_000;
  let timer: NodeJS.Timeout | undefined;
  // One step at a time: a tick, a create and a control never interleave their writes.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T> | T): Promise<T> => {
    const run = chain.then(work);
    chain = run.catch(() => {});
    return run;
  };

  function observe(): Map<string, GatewaySeen> {
    const at = now();
    return new Map(
      o.store.gateways().map((g) => [
        g.id,
        {
          online: g.lastSeen !== null && at - g.lastSeen < o.offlineAfterMs,
          heartbeatAt: g.heartbeatAt,
          ...(g.heartbeat
            ? {
                version: g.heartbeat.version,
                uplinkConnected: g.heartbeat.uplinkConnected,
                sources: g.heartbeat.sources,
                ...(g.heartbeat.upgrade ? { upgrade: g.heartbeat.upgrade } : {}),
              }
            : {}),
        },
      ]),
    );
  }

  function report(before: Rollout, after: Rollout) {
    if (after.wavesStarted !== before.wavesStarted)
      o.log?.info(
        `rollout ${after.id} of ${after.version}: wave ${after.wavesStarted} of ${after.waves} started`,
      );
    if (after.state !== before.state) {
      const line = `rollout ${after.id} of ${after.version}: ${after.state}${after.reason ? `: ${after.reason}` : ""}`;
      if (after.state === "halted") o.log?.warn(line);
      else o.log?.info(line);
    }
  }

  async function advance(r: Rollout): Promise<Rollout> {
    const step = stepRollout(r, observe(), { now: now(), upgradeTimeoutMs });
    let next = step.rollout;
    for (const id of step.send) {
      const outcome = await o.send(id, "agent.upgrade", { version: r.version }, `rollout ${r.id}`);
      next = afterSend(next, id, outcome, now());
      if (!outcome.ok) o.log?.warn(`rollout ${r.id}: agent.upgrade to ${id}: ${outcome.error}`);
    }
    if (next !== r) {
      o.store.saveRollout(next);
      report(r, next);
    }
    return next;
  }

  const tick = () =>
    serial(async () => {
      for (const r of o.store.activeRollouts()) await advance(r);
    });

  return {
    tick,
    list: () => o.store.rollouts(),
    get: (id: string) => o.store.rollout(id),
    create: (req: RolloutRequest, by?: string) =>
      serial(async (): Promise<DriverAnswer> => {
        const active = o.store.activeRollouts();
        if (active.length)
          return {
            ok: false,
            status: 409,
            error: `rollout ${active[0]?.id} of ${active[0]?.version} is ${active[0]?.state}; abort it or let it finish first`,
          };
        const fleet = o.store.gateways().map((g) => ({
          id: g.id,
          ...(o.sites?.[g.id] ? { site: o.sites[g.id] } : {}),
          ...(g.heartbeat ? { version: g.heartbeat.version } : {}),
        }));
        const planned = planRollout(req, fleet, {
          id: `ro-${randomUUID().slice(0, 8)}`,
          now: now(),
          ...(by ? { by } : {}),
        });
        if (!planned.ok) return { ok: false, status: 400, error: planned.error };
        o.store.saveRollout(planned.rollout);
        o.log?.info(
          `rollout ${planned.rollout.id} of ${req.version} to ${planned.rollout.gateways.length} gateways started${by ? ` by ${by}` : ""}`,
        );
        return { ok: true, rollout: await advance(planned.rollout) };
      }),
    control: (id: string, control: RolloutControl, by?: string) =>
      serial(async (): Promise<DriverAnswer> => {
        const r = o.store.rollout(id);
        if (!r) return { ok: false, status: 404, error: `no rollout ${id}` };
        const changed = controlRollout(r, control, { now: now(), ...(by ? { by } : {}) });
        if (!changed.ok) return { ok: false, status: 409, error: changed.error };
        o.store.saveRollout(changed.rollout);
        report(r, changed.rollout);
        return {
          ok: true,
          rollout: changed.rollout.state === "running" ? await advance(changed.rollout) : changed.rollout,
        };
      }),
    start() {
      timer ??= setInterval(
        () => void tick().catch((err) => o.log?.warn(`rollouts: ${(err as Error).message}`)),
        tickMs,
      );
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await chain;
    },
  };
}

export type RolloutDriver = ReturnType<typeof createRolloutDriver>;
