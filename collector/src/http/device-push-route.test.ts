import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testAuthStore } from "@tidegate/http-kit/testing";
import type { DevicePushAnswer } from "@tidegate/protocol";
import { afterAll, describe, expect, it } from "vitest";
import type { CommandOutcome, SendCommand } from "../remote/commands.js";
import { openSqliteStore } from "../store/sqlite-store.js";
import { createCollectorApp } from "./app.js";

const dir = mkdtempSync(join(tmpdir(), "tidegate-push-route-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DEVICE = {
  id: "valve-7",
  profile: "acme/valve",
  transport: { type: "tcp", host: "10.0.0.7", port: 502 },
};
const PROFILE = { id: "acme/valve", yaml: "id: acme/valve\n" };

/** What each gateway answers: the source exports, every target answers its own way. */
const answers: Record<string, CommandOutcome> = {
  "gw-ok": {
    ok: true,
    result: {
      version: 3,
      devices: ["valve-7"],
      device: "valve-7",
      profile: { id: "acme/valve", saved: true },
    },
  },
  "gw-dup": {
    ok: false,
    failure: "refused",
    error:
      "device.add (valve-7): a device 'valve-7' exists already on this gateway (/etc/tidegate/agent.yaml); choose another id",
  },
  "gw-back": {
    ok: false,
    failure: "refused",
    rolledBack: true,
    error: "config version 5 was rolled back to version 4 because device valve-7: cannot open 10.0.0.7:502",
  },
  "gw-off": {
    ok: false,
    failure: "offline",
    error: "gateway gw-off is offline (last seen 300 s ago); nothing was sent",
  },
  "gw-slow": {
    ok: false,
    failure: "timeout",
    error: "gateway gw-slow did not answer device.add within 40 s",
  },
};

function setup(source: CommandOutcome = { ok: true, result: { device: DEVICE, profile: PROFILE } }) {
  const store = openSqliteStore(join(dir, `${Math.random()}.db`));
  const sent: { gateway: string; verb: string; args: unknown; actor?: string }[] = [];
  const send: SendCommand = async (gateway, verb, args, actor) => {
    sent.push({ gateway, verb, args, ...(actor ? { actor } : {}) });
    if (verb === "device.export") return source;
    const answer = answers[gateway];
    if (!answer) throw new Error(`no answer for ${gateway}`);
    return answer;
  };
  const auth = testAuthStore();
  const app = createCollectorApp({ store, version: "t", auth: { store: auth.store }, commands: send });
  const push = (body: unknown, role: "admin" | "operator" = "admin") =>
    app.request("/api/v1/devices/push", {
      method: "POST",
      headers: { "content-type": "application/json", ...auth.headers[role] },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  const audit = async () =>
    (
      (await (
        await app.request("/api/v1/audit?action=device.push", { headers: auth.headers.admin })
      ).json()) as { entries: { target: string; ok: boolean; detail: string }[] }
    ).entries;
  return { sent, push, audit };
}

describe("POST /api/v1/devices/push", () => {
  it("sends the exported device and its profile to every target and reports each on its own", async () => {
    const { sent, push, audit } = setup();
    const to = ["gw-ok", "gw-dup", "gw-back", "gw-off", "gw-slow", "gw-ok"];
    const res = await push({ from: { gateway: "gw-src", device: "valve-7" }, to, timeoutMs: 5000 });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as DevicePushAnswer;
    expect(answer.from).toEqual({ gateway: "gw-src", device: "valve-7" });
    expect(answer.profile).toBe("acme/valve");
    expect(answer.results).toEqual([
      { gateway: "gw-ok", outcome: "applied", version: 3, profileSaved: true },
      {
        gateway: "gw-dup",
        outcome: "refused",
        error: expect.stringMatching(/exists already on this gateway/),
      },
      {
        gateway: "gw-back",
        outcome: "rolled-back",
        error: expect.stringMatching(/^config version 5 was rolled back/),
      },
      {
        gateway: "gw-off",
        outcome: "not-reached",
        error: expect.stringMatching(/offline .*nothing was sent/),
      },
      { gateway: "gw-slow", outcome: "no-answer", error: expect.stringMatching(/did not answer/) },
    ]);
    // One export, then one device.add per target (repeats dropped), each with the device and profile.
    expect(sent.map((s) => `${s.gateway} ${s.verb}`)).toEqual([
      "gw-src device.export",
      "gw-ok device.add",
      "gw-dup device.add",
      "gw-back device.add",
      "gw-off device.add",
      "gw-slow device.add",
    ]);
    expect(sent[0]?.args).toEqual({ device: "valve-7" });
    expect(sent[1]?.args).toEqual({ device: DEVICE, profile: PROFILE, timeoutMs: 5000 });
    expect(sent.every((s) => s.actor === sent[0]?.actor && s.actor)).toBe(true);
    const entries = await audit();
    expect(entries.map((e) => `${e.target} ${e.ok}`).sort()).toEqual([
      "gw-back false",
      "gw-dup false",
      "gw-off false",
      "gw-ok true",
      "gw-slow false",
    ]);
    expect(entries.find((e) => e.target === "gw-ok")?.detail).toBe(
      "gw-src/valve-7 → config version 3, profile saved",
    );
  });

  it("sends nothing to the targets when the source cannot give the device, and says why", async () => {
    const { sent, push, audit } = setup({
      ok: false,
      failure: "refused",
      error: "device.export: no device 'valve-7'; devices: meter-1",
    });
    const res = await push({ from: { gateway: "gw-src", device: "valve-7" }, to: ["gw-ok"] });
    expect(res.status).toBe(422);
    expect((await res.json()).error).toBe(
      "the device could not be read from gw-src: device.export: no device 'valve-7'; devices: meter-1; nothing was sent to the targets",
    );
    expect(sent.map((s) => s.verb)).toEqual(["device.export"]);
    expect((await audit()).map((e) => `${e.target} ${e.ok}`)).toEqual(["gw-src false"]);
  });

  it("needs an admin and a well-formed request; answers 400 naming the field", async () => {
    const { sent, push } = setup();
    expect(
      (await push({ from: { gateway: "gw-src", device: "valve-7" }, to: ["gw-ok"] }, "operator")).status,
    ).toBe(403);
    const empty = await push({ from: { gateway: "gw-src", device: "valve-7" }, to: [] });
    expect(empty.status).toBe(400);
    expect((await empty.json()).error).toMatch(
      /^to: .*; send \{ from: \{ gateway, device \}, to: \[gateway, …\] \}$/,
    );
    const badId = await push({ from: { gateway: "GW SRC", device: "valve-7" }, to: ["gw-ok"] });
    expect((await badId.json()).error).toMatch(/^from.gateway: /);
    expect((await push("{nope")).status).toBe(400);
    expect(sent).toEqual([]);
  });
});
