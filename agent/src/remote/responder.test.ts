import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import { describe, expect, it } from "vitest";
import { CommandError, ConfigRolledBackError } from "./errors.js";
import { type CommandHandlers, dispatchCommand, startCommandResponder } from "./responder.js";

const encode = (v: unknown) => new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));
const calls: unknown[] = [];
const handlers = new Proxy({} as CommandHandlers, {
  get: (_t, verb) => (args: unknown, actor: string | undefined) => {
    calls.push({ verb, args, actor });
    return { echoed: verb };
  },
});

async function failure(verb: string, data: unknown): Promise<string> {
  try {
    await dispatchCommand(handlers, verb, encode(data));
  } catch (err) {
    expect(err).toBeInstanceOf(CommandError);
    return (err as Error).message;
  }
  throw new Error("expected a refusal");
}

describe("dispatchCommand", () => {
  it("runs the verb's handler with checked arguments (defaults filled) and the actor", async () => {
    calls.length = 0;
    const done = await dispatchCommand(handlers, "logs.tail", encode({ actor: "ana", args: {} }));
    expect(done).toEqual({ result: { echoed: "logs.tail" }, actor: "ana" });
    expect(calls).toEqual([{ verb: "logs.tail", args: { lines: 100 }, actor: "ana" }]);
    expect((await dispatchCommand(handlers, "status", new Uint8Array())).result).toEqual({
      echoed: "status",
    });
  });

  it("refuses unknown verbs, non-JSON, unknown keys and bad arguments with a message", async () => {
    expect(await failure("reboot", {})).toMatch(
      /^unknown command 'reboot'; this agent knows: status, config.get/,
    );
    expect(await failure("status", "{nope")).toMatch(/^status: the request is not JSON/);
    expect(await failure("status", { args: {}, extra: 1 })).toMatch(/^status: \(request\): Unrecognized key/);
    expect(await failure("write", { args: { device: "m1", point: "p", value: [1] } })).toMatch(
      /^write: value: /,
    );
    expect(await failure("config.rollback", { args: { version: -1 } })).toMatch(
      /^config.rollback: version: /,
    );
  });
});

describe("startCommandResponder", () => {
  it("says in the reply when a change was rolled back, and only then", async () => {
    type Callback = (
      err: Error | null,
      msg: { subject: string; data: Uint8Array; reply?: string; respond(d: Uint8Array): boolean },
    ) => void;
    let callback: Callback | undefined;
    const nc = {
      subscribe: (_s: string, o: { callback: Callback }) => {
        callback = o.callback;
        return { unsubscribe() {} };
      },
    };
    const fail = (err: Error) => () => {
      throw err;
    };
    const failing = {
      ...handlers,
      "config.apply": fail(
        new ConfigRolledBackError("config version 2 was rolled back to version 1 because device m1: timeout"),
      ),
      "config.rollback": fail(new CommandError("config.rollback: there is no config version 9")),
    } as unknown as CommandHandlers;
    const log = { info() {}, warn() {}, error() {} } as unknown as Logger;
    startCommandResponder({ nc: nc as unknown as NatsConnection, gateway: "gw-1", handlers: failing, log });
    const reply = (verb: string, args: unknown) =>
      new Promise<unknown>((resolve) =>
        callback?.(null, {
          subject: `tidegate.cmd.gw-1.${verb}`,
          data: encode({ args }),
          reply: "inbox",
          respond: (d) => {
            resolve(JSON.parse(new TextDecoder().decode(d)));
            return true;
          },
        }),
      );
    expect(await reply("config.apply", { config: "gateway: gw-1" })).toEqual({
      ok: false,
      error: "config version 2 was rolled back to version 1 because device m1: timeout",
      rolledBack: true,
    });
    expect(await reply("config.rollback", { version: 9 })).toEqual({
      ok: false,
      error: "config.rollback: there is no config version 9",
    });
  });
});
