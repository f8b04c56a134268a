import { describe, expect, it } from "vitest";
import { CommandError } from "./errors.js";
import { type CommandHandlers, dispatchCommand } from "./responder.js";

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
