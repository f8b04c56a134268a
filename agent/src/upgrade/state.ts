import type { UpgradeState, UpgradeStatus } from "@tidegate/protocol";

/** What happens to an upgrade; `transition` says which state each leads to, or refuses it. */
export type UpgradeEvent =
  | { type: "start"; version: string; from: string }
  | { type: "progress"; received: number; size: number }
  | { type: "downloaded" }
  | { type: "verified" }
  | { type: "installed" }
  /** The agent came up after a restart: the version it runs, and whether it is healthy yet. */
  | { type: "running"; version: string; healthy: boolean }
  /** The new version was not healthy in time and `current` links the previous one again. */
  | { type: "rolled-back"; error: string }
  | { type: "refused"; error: string }
  | { type: "failed"; error: string };

const TERMINAL: ReadonlySet<UpgradeState> = new Set(["healthy", "rolled-back", "refused", "failed"]);
export const isUnderWay = (s: UpgradeStatus | undefined) => s !== undefined && !TERMINAL.has(s.state);

/** The step each event may follow; anything else is a defect in the upgrader, not a device's doing. */
const FROM: Record<Exclude<UpgradeEvent["type"], "start" | "failed">, UpgradeState> = {
  progress: "downloading",
  downloaded: "downloading",
  verified: "verifying",
  installed: "installing",
  running: "restarting",
  "rolled-back": "restarting",
  refused: "verifying",
};

export class UpgradeTransitionError extends Error {}

/**
 * The upgrade's next status. Downloading → verifying → installing → restarting → healthy, with
 * `refused` (the release failed its checks) and `failed` (anything else, with why) on the way.
 */
export function transition(
  current: UpgradeStatus | undefined,
  event: UpgradeEvent,
  now: number,
): UpgradeStatus {
  if (event.type === "start") {
    if (isUnderWay(current))
      throw new UpgradeTransitionError(
        `an upgrade to ${current?.version} is under way (${current?.state}); wait until it ends`,
      );
    return { state: "downloading", version: event.version, from: event.from, at: now };
  }
  if (!current || !isUnderWay(current))
    throw new UpgradeTransitionError(`no upgrade is under way (${event.type})`);
  const base = { version: current.version, ...(current.from ? { from: current.from } : {}) };
  if (event.type === "failed") return { ...base, state: "failed", at: now, error: event.error };
  if (current.state !== FROM[event.type])
    throw new UpgradeTransitionError(`${event.type} cannot follow ${current.state}`);
  switch (event.type) {
    case "progress":
      return { ...current, received: event.received, size: event.size };
    case "downloaded":
      return { ...base, state: "verifying", at: now };
    case "verified":
      return { ...base, state: "installing", at: now };
    case "installed":
      return { ...base, state: "restarting", at: now };
    case "refused":
      return { ...base, state: "refused", at: now, error: event.error };
    case "rolled-back":
      return { ...base, state: "rolled-back", at: now, error: event.error };
    case "running":
      if (event.version !== current.version)
        return {
          ...base,
          state: "failed",
          at: now,
          error: `after the restart this gateway runs ${event.version}, not ${current.version}`,
        };
      return event.healthy ? { ...base, state: "healthy", at: now } : current;
  }
}
