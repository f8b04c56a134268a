import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AlertsStore, openAlertsStore } from "../rules/alerts-store.js";
import { alertAckHandler, remoteAckBy } from "./alert-ack.js";
import { CommandError } from "./errors.js";
import { type CommandHandlers, dispatchCommand } from "./responder.js";

let store: AlertsStore;
let handlers: CommandHandlers;
beforeEach(() => {
  store = openAlertsStore(":memory:");
  // Only alert.ack is reached in these tests; the other verbs would need a running agent.
  handlers = { "alert.ack": alertAckHandler(store.acknowledge) } as unknown as CommandHandlers;
  store.record([
    {
      rule: "high-temp",
      device: "m1",
      point: "temp",
      severity: "critical",
      state: "raised",
      at: 1000,
      value: 91,
      message: "temp is 91, above 80",
    },
  ]);
});
afterEach(() => store.close());

const request = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const ack = (args: unknown, actor?: string) =>
  dispatchCommand(handlers, "alert.ack", request({ ...(actor ? { actor } : {}), args }));

describe("alert.ack", () => {
  it("acknowledges the active alert in the collector user's name, once", async () => {
    expect((await ack({ rule: "high-temp", device: "m1" }, "alice")).result).toEqual({
      acknowledged: true,
      by: "alice@collector",
    });
    expect(store.active()[0]?.ackedAt).toEqual(expect.any(Number));
    // The acked event waits for the alerts uplink, like a local acknowledgement.
    expect(store.unsent().map((e) => [e.state, e.message])).toEqual([
      ["raised", "temp is 91, above 80"],
      ["acked", "acknowledged by alice@collector"],
    ]);
    expect((await ack({ rule: "high-temp", device: "m1" }, "bob")).result).toEqual({
      acknowledged: false,
      by: "bob@collector",
    });
  });

  it("answers false for an alert that is not raised, and names a request without an actor", async () => {
    expect((await ack({ rule: "high-temp", device: "m2" })).result).toEqual({
      acknowledged: false,
      by: "collector",
    });
    expect(remoteAckBy(undefined)).toBe("collector");
  });

  it("refuses missing or unknown arguments with a message naming the field", async () => {
    const refusal = (args: unknown) =>
      ack(args, "alice").then(
        () => "accepted",
        (e: Error) => e,
      );
    const missing = await refusal({ rule: "high-temp" });
    expect(missing).toBeInstanceOf(CommandError);
    expect((missing as Error).message).toMatch(/^alert.ack: device: /);
    expect(((await refusal({ rule: "high-temp", device: "m1", actor: "mallory" })) as Error).message).toMatch(
      /^alert.ack: \(body\): Unrecognized key/,
    );
    expect(((await refusal({ rule: "", device: "m1" })) as Error).message).toMatch(/^alert.ack: rule: /);
    expect(store.active()[0]?.ackedAt).toBeNull();
  });
});
