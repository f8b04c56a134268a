import type { NatsConnection } from "@nats-io/transport-node";
import {
  type CommandVerb,
  commandReplySchema,
  commandTimeoutMs,
  encodeCommandRequest,
  subjects,
} from "@tidegate/protocol";

/** Why a command got no answer from the agent, or the agent's own refusal. */
export type CommandFailure =
  | "unknown-gateway"
  | "offline"
  | "not-listening"
  | "timeout"
  | "no-nats"
  | "refused"
  | "bad-reply";

export type CommandOutcome =
  | { ok: true; result: unknown }
  | { ok: false; failure: CommandFailure; error: string; rolledBack?: true };

export interface CommandSenderOptions {
  /** The collector's NATS connection; undefined until it is connected. */
  connection: () => NatsConnection | undefined;
  /** The gateway registry: when each gateway was last heard from. */
  gateways: () => { id: string; lastSeen: number | null }[];
  /** A gateway not heard from for this long is offline; commands to it are refused unsent. */
  offlineAfterMs: number;
  now?: () => number;
}

export type SendCommand = (
  gateway: string,
  verb: CommandVerb,
  args: unknown,
  actor?: string,
) => Promise<CommandOutcome>;

/**
 * Sends a command to one gateway as a core NATS request and waits for its reply. A gateway that
 * is offline gets nothing: the command is refused at once, never queued to be carried out later
 * (a write or config change that lands hours later, when nobody is watching, is a hazard).
 */
export function createCommandSender(o: CommandSenderOptions): SendCommand {
  const now = o.now ?? Date.now;
  return async (gateway, verb, args, actor) => {
    const known = o.gateways().find((g) => g.id === gateway);
    if (!known)
      return {
        ok: false,
        failure: "unknown-gateway",
        error: `unknown gateway '${gateway}': it has never sent a heartbeat or data to this collector; nothing was sent`,
      };
    const silentMs = known.lastSeen === null ? Number.POSITIVE_INFINITY : now() - known.lastSeen;
    if (silentMs >= o.offlineAfterMs)
      return {
        ok: false,
        failure: "offline",
        error: `gateway ${gateway} is offline (${
          known.lastSeen === null ? "never seen" : `last seen ${Math.round(silentMs / 1000)} s ago`
        }); nothing was sent. Commands are never queued: send it again when the gateway is back online`,
      };
    const nc = o.connection();
    if (!nc)
      return {
        ok: false,
        failure: "no-nats",
        error: "the collector is not connected to NATS yet; nothing was sent",
      };
    const timeout = commandTimeoutMs(verb, (args ?? {}) as { timeoutMs?: number });
    let data: Uint8Array;
    try {
      const msg = await nc.request(
        subjects.command(gateway, verb),
        encodeCommandRequest({ ...(actor ? { actor } : {}), args: args ?? {} }),
        { timeout },
      );
      data = msg.data;
    } catch (err) {
      const e = err as Error & { isNoResponders?: () => boolean; cause?: Error };
      const text = `${e.name} ${e.message} ${e.cause?.name ?? ""}`;
      if (e.isNoResponders?.() || /no ?responders/i.test(text))
        return {
          ok: false,
          failure: "not-listening",
          error: `gateway ${gateway} is not listening for commands (offline or older version)`,
        };
      if (/timeout/i.test(text))
        return {
          ok: false,
          failure: "timeout",
          error: `gateway ${gateway} did not answer ${verb} within ${timeout / 1000} s; it may still carry it out — check its status before sending again`,
        };
      return {
        ok: false,
        failure: "no-nats",
        error: `could not send ${verb} to ${gateway}: ${(err as Error).message}`,
      };
    }
    let reply: unknown;
    try {
      reply = JSON.parse(new TextDecoder().decode(data));
    } catch {
      reply = undefined;
    }
    const parsed = commandReplySchema.safeParse(reply);
    if (!parsed.success)
      return {
        ok: false,
        failure: "bad-reply",
        error: `gateway ${gateway} sent a reply this collector cannot read`,
      };
    if (parsed.data.ok) return { ok: true, result: parsed.data.result };
    return {
      ok: false,
      failure: "refused",
      error: parsed.data.error,
      ...(parsed.data.rolledBack ? { rolledBack: true as const } : {}),
    };
  };
}
