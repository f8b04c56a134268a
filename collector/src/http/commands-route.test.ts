import type { MiddlewareHandler } from "hono";
import { describe, expect, it } from "vitest";
import type { CommandOutcome, SendCommand } from "../remote/commands.js";
import { type CommandEvent, type CommandRole, commandRoutes } from "./commands-route.js";

const RANK: Record<CommandRole, number> = { viewer: 0, operator: 1, admin: 2 };
/** Admits the role named in the x-role header (a stand-in for the auth module's guard). */
const headerGuard =
  (role: CommandRole): MiddlewareHandler =>
  async (c, next) => {
    const have = (c.req.header("x-role") ?? "viewer") as CommandRole;
    if (RANK[have] < RANK[role]) return c.json({ error: `${role} role required` }, 403);
    await next();
  };

function setup(outcome: CommandOutcome = { ok: true, result: { fine: true } }) {
  const sent: { gateway: string; verb: string; args: unknown; actor?: string }[] = [];
  const events: CommandEvent[] = [];
  const send: SendCommand = async (gateway, verb, args, actor) => {
    sent.push({ gateway, verb, args, ...(actor ? { actor } : {}) });
    return outcome;
  };
  const app = commandRoutes({
    send,
    need: headerGuard,
    actor: (c) => c.req.header("x-user"),
    onCommand: (e) => void events.push(e),
  });
  const post = (path: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.request(path, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
  return { sent, events, post };
}

describe("command routes", () => {
  it("passes checked arguments and the actor to the gateway and reports the result", async () => {
    const { sent, events, post } = setup();
    const res = await post("/api/v1/gateways/gw-1/commands/logs.tail", { lines: 5 }, { "x-user": "ana" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ gateway: "gw-1", verb: "logs.tail", result: { fine: true } });
    expect(sent).toEqual([{ gateway: "gw-1", verb: "logs.tail", args: { lines: 5 }, actor: "ana" }]);
    expect(events).toEqual([
      { gateway: "gw-1", verb: "logs.tail", args: { lines: 5 }, actor: "ana", ok: true },
    ]);
  });

  it("answers 400 naming the field, and sends nothing", async () => {
    const { sent, post } = setup();
    const res = await post(
      "/api/v1/gateways/gw-1/commands/write",
      { device: "m1", value: 3 },
      { "x-role": "operator" },
    );
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/^write: point: /);
    const notJson = await post("/api/v1/gateways/gw-1/commands/status", "{oops");
    expect(notJson.status).toBe(400);
    expect((await post("/api/v1/gateways/GW_1/commands/status", {})).status).toBe(400);
    expect(sent).toEqual([]);
  });

  it("needs an operator for writes and config changes, a viewer for reads", async () => {
    const { sent, post } = setup();
    for (const verb of ["write", "config.apply", "config.rollback", "source.restart", "alert.ack"]) {
      const res = await post(`/api/v1/gateways/gw-1/commands/${verb}`, {});
      expect(res.status, verb).toBe(403);
    }
    for (const verb of ["status", "config.get", "config.history", "logs.tail"])
      expect((await post(`/api/v1/gateways/gw-1/commands/${verb}`)).status, verb).toBe(200);
    expect(sent.map((s) => s.verb)).toEqual(["status", "config.get", "config.history", "logs.tail"]);
  });

  it("acknowledges an alert for an operator, in the operator's name, and audits it", async () => {
    const { sent, events, post } = setup({ ok: true, result: { acknowledged: true, by: "ana@collector" } });
    const res = await post(
      "/api/v1/gateways/gw-1/commands/alert.ack",
      { rule: "high-temp", device: "m1" },
      { "x-role": "operator", "x-user": "ana" },
    );
    expect(res.status).toBe(200);
    expect((await res.json()).result).toEqual({ acknowledged: true, by: "ana@collector" });
    expect(sent).toEqual([
      { gateway: "gw-1", verb: "alert.ack", args: { rule: "high-temp", device: "m1" }, actor: "ana" },
    ]);
    expect(events[0]).toMatchObject({ verb: "alert.ack", actor: "ana", ok: true });
    const spoofed = await post(
      "/api/v1/gateways/gw-1/commands/alert.ack",
      { rule: "high-temp", device: "m1", actor: "someone-else" },
      { "x-role": "operator" },
    );
    expect(spoofed.status).toBe(400);
    expect((await spoofed.json()).error).toMatch(/^alert.ack: \(body\): Unrecognized key/);
  });

  it("maps an offline gateway to 409 and records the failure; a config is audited by hash, not text", async () => {
    const { events, post } = setup({ ok: false, failure: "offline", error: "gateway gw-1 is offline" });
    const res = await post(
      "/api/v1/gateways/gw-1/commands/config.apply",
      { config: "nats: { password: hunter2 }" },
      { "x-role": "operator" },
    );
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: "gateway gw-1 is offline", failure: "offline" });
    expect(events[0]).toMatchObject({ verb: "config.apply", ok: false, error: "gateway gw-1 is offline" });
    expect(JSON.stringify(events[0]?.args)).not.toContain("hunter2");
    expect(events[0]?.args).toMatchObject({
      config: { bytes: 27, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
  });
});
