import { describe, expect, it } from "vitest";
import { createCommandSender } from "./commands.js";

describe("createCommandSender", () => {
  const now = () => 100_000;
  const noConnection = () => {
    throw new Error("nothing may be sent");
  };

  it("refuses an offline gateway at once, without touching NATS", async () => {
    const send = createCommandSender({
      connection: noConnection,
      gateways: () => [{ id: "gw-1", lastSeen: 40_000 }],
      offlineAfterMs: 30_000,
      now,
    });
    expect(await send("gw-1", "write", { device: "m", point: "p", value: 1 })).toEqual({
      ok: false,
      failure: "offline",
      error:
        "gateway gw-1 is offline (last seen 60 s ago); nothing was sent. Commands are never queued: send it again when the gateway is back online",
    });
  });

  it("refuses a gateway it has never heard of", async () => {
    const send = createCommandSender({
      connection: noConnection,
      gateways: () => [],
      offlineAfterMs: 30_000,
      now,
    });
    expect(await send("gw-9", "status", {})).toMatchObject({ ok: false, failure: "unknown-gateway" });
  });

  it("says so when the collector has no NATS connection yet", async () => {
    const send = createCommandSender({
      connection: () => undefined,
      gateways: () => [{ id: "gw-1", lastSeen: 99_000 }],
      offlineAfterMs: 30_000,
      now,
    });
    expect(await send("gw-1", "status", {})).toMatchObject({ ok: false, failure: "no-nats" });
  });
});
