import type { Rollout, RolloutGateway, RolloutRequestInput } from "@tidegate/protocol";
import { announceSignedOut, writeHeaders } from "../auth/session.js";
import { t } from "../i18n.js";
import { failureMessage } from "./commands.js";

/** Pure helpers and the fetches for the collector's rollout routes (docs/upgrades.md). */

export type TargetKind = "percent" | "site" | "gateways";

export interface RolloutForm {
  version: string;
  kind: TargetKind;
  /** A percentage, a site name, or gateway ids separated by commas or spaces. */
  target: string;
  canary: string;
  soakS: string;
}

/** The request the form describes, or what to fix in it; the collector checks it again. */
export function rolloutRequest(
  f: RolloutForm,
): { ok: true; request: RolloutRequestInput } | { ok: false; error: string } {
  if (f.version === "") return { ok: false, error: t.rollouts.pickRelease };
  const whole = (s: string) => (/^\d+$/.test(s.trim()) ? Number(s.trim()) : undefined);
  const canary = whole(f.canary);
  const soakS = whole(f.soakS);
  if (canary === undefined || canary < 1) return { ok: false, error: t.rollouts.badCanary };
  if (soakS === undefined) return { ok: false, error: t.rollouts.badSoak };
  let target: RolloutRequestInput["target"];
  if (f.kind === "percent") {
    const percent = Number(f.target.trim().replace(",", "."));
    if (!(percent > 0 && percent <= 100)) return { ok: false, error: t.rollouts.badPercent };
    target = { percent };
  } else if (f.kind === "site") {
    if (f.target.trim() === "") return { ok: false, error: t.rollouts.badSite };
    target = { site: f.target.trim() };
  } else {
    const gateways = f.target.split(/[\s,]+/).filter(Boolean);
    if (gateways.length === 0) return { ok: false, error: t.rollouts.badGateways };
    target = { gateways };
  }
  return { ok: true, request: { version: f.version, target, canary, soakS } };
}

/** Download progress as a percentage, when the gateway reported one. */
export function progressOf(g: Pick<RolloutGateway, "state" | "received" | "size">): number | undefined {
  if (g.state !== "downloading" || !g.size || g.received === undefined) return undefined;
  return Math.min(100, Math.floor((g.received / g.size) * 100));
}

/** The badge colour of a rollout's or a gateway's state. */
export function toneOf(state: Rollout["state"] | RolloutGateway["state"]): "ok" | "warn" | "bad" | "neutral" {
  if (state === "healthy" || state === "done") return "ok";
  if (state === "failed" || state === "rolled-back" || state === "halted") return "bad";
  if (state === "pending" || state === "aborted") return "neutral";
  return "warn";
}

/** The rollout to show: the one under way, else the newest. */
export const shownRollout = (rollouts: readonly Rollout[]): Rollout | undefined =>
  rollouts.find((r) => r.state === "running" || r.state === "paused") ?? rollouts[0];

/** POSTs to a rollout route with the CSRF header; the collector's message on failure. */
export async function postRollout(path: string, body?: unknown): Promise<Rollout> {
  const res = await fetch(path, {
    method: "POST",
    headers: writeHeaders(),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }).catch(() => {
    throw new Error(t.networkError);
  });
  if (res.status === 401) announceSignedOut();
  const answer = (await res.json().catch(() => null)) as { rollout?: Rollout } | null;
  if (!res.ok || !answer?.rollout) throw new Error(failureMessage(res.status, answer));
  return answer.rollout;
}
