import {
  type CommandResult,
  DEFAULT_APPLY_TIMEOUT_MS,
  type DevicePushAnswer,
  type DevicePushRequest,
  type DevicePushTarget,
} from "@tidegate/protocol";
import type { CommandFailure, CommandOutcome, SendCommand } from "./commands.js";

/** The source gateway could not give the device: nothing was sent to any target. */
export type ExportFailure = { ok: false; failure: CommandFailure; error: string };

/** Failures where nothing reached the target: it is reported, never queued for later. */
const NOT_REACHED: readonly CommandFailure[] = ["unknown-gateway", "offline", "not-listening", "no-nats"];

/** One target's reply as the push reports it. */
export function targetOutcome(gateway: string, outcome: CommandOutcome): DevicePushTarget {
  if (outcome.ok) {
    const r = outcome.result as CommandResult<"device.add">;
    return {
      gateway,
      outcome: "applied",
      version: r.version,
      ...(r.profile ? { profileSaved: r.profile.saved } : {}),
    };
  }
  const kind: DevicePushTarget["outcome"] = NOT_REACHED.includes(outcome.failure)
    ? "not-reached"
    : outcome.failure === "timeout"
      ? "no-answer"
      : outcome.rolledBack
        ? "rolled-back"
        : "refused";
  return { gateway, outcome: kind, error: outcome.error };
}

/**
 * Pushes a device made on one gateway to others: `device.export` on the source, then a
 * `device.add` to every target at once, each its own request and its own config change, so a
 * target that refuses, rolls back or is offline changes nothing for the others.
 */
export async function pushDevice(
  send: SendCommand,
  req: DevicePushRequest,
  actor?: string,
): Promise<{ ok: true; answer: DevicePushAnswer } | ExportFailure> {
  const exported = await send(req.from.gateway, "device.export", { device: req.from.device }, actor);
  if (!exported.ok)
    return {
      ok: false,
      failure: exported.failure,
      error: `the device could not be read from ${req.from.gateway}: ${exported.error}; nothing was sent to the targets`,
    };
  const { device, profile } = exported.result as CommandResult<"device.export">;
  const args = {
    device,
    ...(profile ? { profile } : {}),
    timeoutMs: req.timeoutMs ?? DEFAULT_APPLY_TIMEOUT_MS,
  };
  const targets = [...new Set(req.to)];
  const results = await Promise.all(
    targets.map(async (gateway) => {
      try {
        return targetOutcome(gateway, await send(gateway, "device.add", args, actor));
      } catch (err) {
        return { gateway, outcome: "no-answer" as const, error: (err as Error).message };
      }
    }),
  );
  return {
    ok: true,
    answer: { from: req.from, ...(profile ? { profile: profile.id } : {}), results },
  };
}
