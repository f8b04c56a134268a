import type { Rollout, RolloutGateway, SourceHealth, UpgradeStatus } from "@tidegate/protocol";
import type { CommandOutcome } from "../remote/commands.js";

/** What the registry knows of one gateway right now, as the rollout reads it. */
export interface GatewaySeen {
  /** Heard from within the collector's offline window. */
  online: boolean;
  /** When its latest heartbeat arrived (collector clock). */
  heartbeatAt: number | null;
  version?: string;
  uplinkConnected?: boolean;
  sources?: readonly Pick<SourceHealth, "device" | "status">[];
  upgrade?: UpgradeStatus;
}

export interface StepOptions {
  now: number;
  /** A gateway sent the upgrade that is not healthy this long after is failed: it never came back. */
  upgradeTimeoutMs: number;
}

const IN_PROGRESS = new Set<RolloutGateway["state"]>([
  "downloading",
  "verifying",
  "installing",
  "restarting",
]);
const FINISHED = new Set<Rollout["state"]>(["done", "aborted"]);

/** Why a gateway that runs `version` is not healthy now, or undefined when it is. */
export function unhealthyBecause(seen: GatewaySeen | undefined, version: string): string | undefined {
  if (!seen?.online) return "offline";
  // The agent's own word counts too: its upgrade status names the version `current` links, which
  // is what runs even when a build's compiled-in version string was not bumped.
  const says = seen.upgrade?.version === version && seen.upgrade.state === "healthy";
  if (seen.version !== version && !says) return `runs ${seen.version ?? "an unknown version"}`;
  if (!seen.uplinkConnected) return "uplink not connected";
  const bad = (seen.sources ?? []).filter((s) => s.status !== "ok");
  if (bad.length) return `device ${bad.map((s) => `${s.device} ${s.status}`).join(", ")}`;
  return undefined;
}

function set(g: RolloutGateway, patch: Partial<RolloutGateway>, now: number): RolloutGateway {
  const state = patch.state ?? g.state;
  const next: RolloutGateway = { ...g, ...patch, since: state === g.state ? g.since : now };
  for (const k of Object.keys(patch) as (keyof RolloutGateway)[]) if (patch[k] === undefined) delete next[k];
  return next;
}

/** One gateway's state from its latest heartbeat. Failed and rolled-back are where it stays. */
function follow(g: RolloutGateway, seen: GatewaySeen | undefined, version: string, o: StepOptions) {
  if (g.state === "failed" || g.state === "rolled-back") return g;
  if (g.state === "pending") {
    if (!seen?.online) return set(g, { note: "offline: sent when it is seen again" }, o.now);
    // It got there another way (by hand, or an earlier rollout): nothing to send.
    if (seen.version === version) g = set(g, { state: "healthy", note: `already runs ${version}` }, o.now);
    else return set(g, { note: undefined }, o.now);
  }
  // Only what the gateway said after it was sent the upgrade counts (an older status may be of an earlier try).
  const fresh =
    g.sentAt !== undefined && seen?.heartbeatAt != null && seen.heartbeatAt > g.sentAt
      ? seen.upgrade
      : undefined;
  const up = fresh?.version === version ? fresh : undefined;
  if (up && (up.state === "failed" || up.state === "refused"))
    return set(
      g,
      { state: "failed", error: up.error ?? up.state, healthySince: undefined, note: undefined },
      o.now,
    );
  if (up?.state === "rolled-back")
    return set(g, { state: "rolled-back", error: up.error ?? "rolled back", healthySince: undefined }, o.now);
  if (up && IN_PROGRESS.has(up.state as RolloutGateway["state"]))
    return set(
      g,
      {
        state: up.state as RolloutGateway["state"],
        received: up.state === "downloading" ? up.received : undefined,
        size: up.state === "downloading" ? up.size : undefined,
      },
      o.now,
    );
  const why = unhealthyBecause(seen, version);
  // Healthy once the gateway says its upgrade ended well, or it runs the version without one under way.
  const ended = up?.state === "healthy" || (up === undefined && g.state === "healthy");
  if (ended && why === undefined)
    return set(
      g,
      {
        state: "healthy",
        healthySince: g.healthySince ?? o.now,
        note: undefined,
        received: undefined,
        size: undefined,
      },
      o.now,
    );
  if (g.sentAt !== undefined && g.state !== "healthy" && o.now - g.sentAt > o.upgradeTimeoutMs)
    return set(
      g,
      {
        state: "failed",
        error: `not healthy on ${version} within ${Math.round(o.upgradeTimeoutMs / 1000)} s of the upgrade being sent (${why ?? "no healthy report"})`,
      },
      o.now,
    );
  if (g.state === "healthy")
    return set(g, { healthySince: undefined, note: `not healthy now: ${why}` }, o.now);
  return g;
}

function canStartNextWave(r: Rollout, now: number): boolean {
  const started = r.gateways.filter((g) => g.wave < r.wavesStarted);
  let proved = false;
  for (const g of started) {
    if (g.state === "pending") {
      if (g.note === undefined) return false; // online and not sent yet
      continue; // offline: it gets the upgrade when it is back, and holds nobody up
    }
    if (g.state !== "healthy" || g.healthySince === undefined || now - g.healthySince < r.soakMs)
      return false;
    proved = true;
  }
  return proved;
}

/**
 * One turn of a rollout: follows each gateway's heartbeat, halts on a failure or rollback, starts
 * the next wave when every upgraded gateway has been healthy for the soak time, and says which
 * gateways to send `agent.upgrade` now (pending ones of started waves that are online).
 */
export function stepRollout(
  r: Rollout,
  seen: ReadonlyMap<string, GatewaySeen>,
  o: StepOptions,
): { rollout: Rollout; send: string[] } {
  if (FINISHED.has(r.state)) return { rollout: r, send: [] };
  let next: Rollout = {
    ...r,
    gateways: r.gateways.map((g) => (g.wave < r.wavesStarted ? follow(g, seen.get(g.id), r.version, o) : g)),
  };
  const broken = next.gateways.find((g) => g.state === "failed" || g.state === "rolled-back");
  if (broken && (next.state === "running" || next.state === "paused"))
    next = {
      ...next,
      state: "halted",
      reason: `${broken.id} ${broken.state === "failed" ? "failed" : "rolled back"}: ${broken.error}`,
    };
  if (next.state !== "running") return { rollout: touch(r, next, o.now), send: [] };
  if (next.wavesStarted < next.waves && canStartNextWave(next, o.now)) {
    const wavesStarted = next.wavesStarted + 1;
    next = {
      ...next,
      wavesStarted,
      gateways: next.gateways.map((g) =>
        g.wave === wavesStarted - 1 ? follow(g, seen.get(g.id), r.version, o) : g,
      ),
    };
  }
  const all = next.gateways;
  if (
    next.wavesStarted === next.waves &&
    all.every(
      (g) => g.state === "healthy" && g.healthySince !== undefined && o.now - g.healthySince >= r.soakMs,
    )
  )
    next = { ...next, state: "done", reason: `${all.length} gateways run ${r.version} and stayed healthy` };
  const send =
    next.state === "running"
      ? all
          .filter((g) => g.wave < next.wavesStarted && g.state === "pending" && g.note === undefined)
          .map((g) => g.id)
      : [];
  return { rollout: touch(r, next, o.now), send };
}

const touch = (before: Rollout, after: Rollout, now: number): Rollout =>
  JSON.stringify(before) === JSON.stringify(after) ? before : { ...after, updatedAt: now };

/** A gateway's state once agent.upgrade was sent to it and answered (or not). */
export function afterSend(r: Rollout, id: string, outcome: CommandOutcome, now: number): Rollout {
  const gateways = r.gateways.map((g) => {
    if (g.id !== id) return g;
    if (outcome.ok) return set(g, { state: "downloading", sentAt: now, note: undefined }, now);
    switch (outcome.failure) {
      case "offline":
      case "not-listening":
      case "no-nats":
        // Nothing reached the gateway: it waits, and is sent the upgrade when it is seen again.
        return set(g, { note: `offline: ${outcome.error}` }, now);
      case "timeout":
        // It may have started: its heartbeat tells; a resend would be refused as under way.
        return set(g, { state: "downloading", sentAt: now, note: outcome.error }, now);
      default:
        return set(g, { state: "failed", sentAt: now, error: outcome.error }, now);
    }
  });
  return { ...r, gateways, updatedAt: now };
}

export type RolloutControl = "pause" | "resume" | "abort";

/** Pause, resume or abort, or why not in the rollout's state. */
export function controlRollout(
  r: Rollout,
  control: RolloutControl,
  o: { now: number; by?: string },
): { ok: true; rollout: Rollout } | { ok: false; error: string } {
  const allowed: Record<RolloutControl, Rollout["state"][]> = {
    pause: ["running"],
    resume: ["paused"],
    abort: ["running", "paused", "halted"],
  };
  if (!allowed[control].includes(r.state))
    return {
      ok: false,
      error: `rollout ${r.id} is ${r.state}; ${control} needs it ${allowed[control].join(" or ")}${
        r.state === "halted" && control === "resume"
          ? " (a halted rollout stays halted: start a new one)"
          : ""
      }`,
    };
  const state = control === "pause" ? "paused" : control === "resume" ? "running" : "aborted";
  const reason =
    control === "abort"
      ? `aborted${o.by ? ` by ${o.by}` : ""}`
      : control === "pause"
        ? `paused${o.by ? ` by ${o.by}` : ""}`
        : undefined;
  const next: Rollout = { ...r, state, updatedAt: o.now };
  if (reason) next.reason = reason;
  else delete next.reason;
  return { ok: true, rollout: next };
}
