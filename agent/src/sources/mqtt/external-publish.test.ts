import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { type Mosquitto, startMosquitto } from "../../../../test/helpers/mosquitto.js";
import { connectExternal, type ExternalConnection } from "./external.js";

const log = pino({ level: "silent" });

describe("publishing to an external broker that goes away", { timeout: 30_000 }, () => {
  let broker: Mosquitto | undefined;
  let conn: ExternalConnection | undefined;
  afterEach(async () => {
    await conn?.close();
    await broker?.dispose();
  });

  it("fails a publish in flight when the connection closes, instead of leaving it pending", async () => {
    broker = await startMosquitto();
    conn = await connectExternal({
      broker: { url: broker.url, keepaliveS: 30, rejectUnauthorized: true },
      filters: [],
      onMessage: () => {},
      log,
      backoff: { initialMs: 60_000 },
    });
    await conn.ready;
    expect(conn.status().connected).toBe(true);
    // Far more than a socket's buffer: the write waits for 'drain', which a dead socket never emits.
    const big = new Uint8Array(64 * 1024 * 1024);
    const publishing = conn.publish("t/big", big, { qos: 0, retain: false });
    const outcome = publishing.then(
      () => "sent",
      (err: Error) => err.message,
    );
    await broker.stop();
    expect(await outcome).toMatch(/connection closed before the publish was sent|not connected/);
    expect(conn.status().connected).toBe(false);
    // While disconnected a publish fails at once (nothing queued to go out stale after a reconnect).
    await expect(conn.publish("t/small", new Uint8Array(4), { qos: 0, retain: false })).rejects.toThrow(
      /not connected/,
    );
  });
});
