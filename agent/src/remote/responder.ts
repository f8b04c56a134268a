import type { Msg, NatsConnection } from "@nats-io/transport-node";
import {
  COMMAND_VERBS,
  type CommandArgs,
  type CommandReply,
  type CommandResult,
  type CommandVerb,
  commandRequestSchema,
  commandVerbSchema,
  encodeCommandReply,
  parseCommandArgs,
  subjects,
} from "@tidegate/protocol";
import type { Logger } from "pino";
import { CommandError, ConfigRolledBackError } from "./errors.js";

export type CommandHandlers = {
  [V in CommandVerb]: (
    args: CommandArgs<V>,
    actor: string | undefined,
  ) => CommandResult<V> | Promise<CommandResult<V>>;
};

/** Checks one request and runs its handler; every problem becomes a CommandError with a message. */
export async function dispatchCommand(
  handlers: CommandHandlers,
  verb: string,
  data: Uint8Array,
): Promise<{ result: unknown; actor?: string }> {
  const known = commandVerbSchema.safeParse(verb);
  if (!known.success)
    throw new CommandError(`unknown command '${verb}'; this agent knows: ${COMMAND_VERBS.join(", ")}`);
  let json: unknown = {};
  if (data.length > 0) {
    try {
      json = JSON.parse(new TextDecoder().decode(data));
    } catch (err) {
      throw new CommandError(`${verb}: the request is not JSON: ${(err as Error).message}`);
    }
  }
  const request = commandRequestSchema.safeParse(json);
  if (!request.success)
    throw new CommandError(
      `${verb}: ${request.error.issues.map((i) => `${i.path.join(".") || "(request)"}: ${i.message}`).join("; ")}`,
    );
  const args = parseCommandArgs(known.data, request.data.args);
  if (!args.ok) throw new CommandError(args.error);
  const handler = handlers[known.data] as (a: unknown, actor: string | undefined) => unknown;
  return { result: await handler(args.args, request.data.actor), actor: request.data.actor };
}

/**
 * Answers `tidegate.cmd.<gateway>.<verb>` requests on the uplink's connection: one plain
 * subscription (no queue group), which the NATS client renews after each reconnect. Requests are
 * handled side by side, so a config change waiting for its devices does not hold up `status`.
 * Nothing in a request can throw out of here: every failure is a reply `{ ok: false, error }`.
 */
export function startCommandResponder(o: {
  nc: NatsConnection;
  gateway: string;
  handlers: CommandHandlers;
  log: Logger;
}): { stop(): void } {
  const prefix = subjects.command(o.gateway, "");
  async function handle(msg: Msg) {
    const verb = msg.subject.slice(prefix.length);
    let reply: CommandReply;
    let actor: string | undefined;
    try {
      const done = await dispatchCommand(o.handlers, verb, msg.data);
      actor = done.actor;
      reply = { ok: true, result: done.result };
    } catch (err) {
      if (!(err instanceof CommandError))
        o.log.error({ err, command: verb }, `remote ${verb} failed unexpectedly`);
      reply = {
        ok: false,
        error: (err as Error).message || String(err),
        ...(err instanceof ConfigRolledBackError ? { rolledBack: true } : {}),
      };
    }
    o.log.info(
      { command: { verb, actor, ok: reply.ok, ...(reply.ok ? {} : { error: reply.error }) } },
      `remote command ${verb}${actor ? ` from ${actor}` : ""}: ${reply.ok ? "ok" : reply.error}`,
    );
    if (!msg.reply) return;
    try {
      msg.respond(encodeCommandReply(reply));
    } catch (err) {
      o.log.warn({ err, command: verb }, `could not send the reply to ${verb}; the requester will time out`);
    }
  }
  const sub = o.nc.subscribe(subjects.commands(o.gateway), {
    callback: (err, msg) => {
      if (err) o.log.warn({ err }, "command subscription error");
      else void handle(msg);
    },
  });
  o.log.info({ subject: subjects.commands(o.gateway) }, "listening for remote commands");
  return { stop: () => sub.unsubscribe() };
}
