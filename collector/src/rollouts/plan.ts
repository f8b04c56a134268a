import type { Rollout, RolloutGateway, RolloutRequest } from "@tidegate/protocol";

/** A gateway as planning sees it: the registry's id, its site from the sites file, what it runs. */
export interface FleetMember {
  id: string;
  site?: string;
  version?: string;
}

export type PlanResult = { ok: true; rollout: Rollout } | { ok: false; error: string };

function targeted(req: RolloutRequest, fleet: readonly FleetMember[]): FleetMember[] | string {
  const t = req.target;
  if ("gateways" in t) {
    const byId = new Map(fleet.map((g) => [g.id, g]));
    const unknown = t.gateways.filter((id) => !byId.has(id));
    if (unknown.length)
      return `target.gateways: unknown gateway ${unknown.slice(0, 5).join(", ")}${
        unknown.length > 5 ? ` and ${unknown.length - 5} more` : ""
      } (never seen by this collector)`;
    return [...new Set(t.gateways)].map((id) => byId.get(id) as FleetMember);
  }
  if ("site" in t) {
    const at = fleet.filter((g) => g.site === t.site);
    return at.length ? at : `target.site: no gateway is at site '${t.site}'`;
  }
  if (fleet.length === 0) return "target.percent: this collector knows no gateway yet";
  // By id, so the same percentage picks the same gateways each time and a larger one adds to it.
  const sorted = [...fleet].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return sorted.slice(0, Math.ceil((sorted.length * t.percent) / 100));
}

/**
 * A new rollout from a request: the targeted gateways in waves, the first `canary` of them in
 * wave 0. A gateway that already runs the version is healthy from the start (it still has to
 * stay healthy through the soak before the waves after it start).
 */
export function planRollout(
  req: RolloutRequest,
  fleet: readonly FleetMember[],
  o: { id: string; now: number; by?: string },
): PlanResult {
  const members = targeted(req, fleet);
  if (typeof members === "string") return { ok: false, error: members };
  const canary = Math.min(req.canary, members.length);
  const rest = members.length - canary;
  const waveSize = req.waveSize ?? Math.max(1, rest);
  const gateways: RolloutGateway[] = members.map((g, i) => {
    const already = g.version === req.version;
    return {
      id: g.id,
      wave: i < canary ? 0 : 1 + Math.floor((i - canary) / waveSize),
      state: already ? "healthy" : "pending",
      since: o.now,
      ...(g.version ? { from: g.version } : {}),
      ...(already ? { note: `already runs ${req.version}` } : {}),
    };
  });
  return {
    ok: true,
    rollout: {
      id: o.id,
      version: req.version,
      target: req.target,
      canary,
      waveSize,
      soakMs: req.soakS * 1000,
      state: "running",
      wavesStarted: 1,
      waves: 1 + Math.ceil(rest / waveSize),
      createdAt: o.now,
      ...(o.by ? { createdBy: o.by } : {}),
      updatedAt: o.now,
      gateways,
    },
  };
}
